namespace Vitals.Devices;

/// <summary>What a decoder needs to know about the moment and place of receipt. Pure data: decoders do no I/O.</summary>
public sealed record DecodeContext(DateTimeOffset ReceivedAt, TimeZoneInfo LocalZone, PlausibilityLimits Limits)
{
    public static DecodeContext At(DateTimeOffset receivedAt) => new(receivedAt, TimeZoneInfo.Local, PlausibilityLimits.Default);
}
