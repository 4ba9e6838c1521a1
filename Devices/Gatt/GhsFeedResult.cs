namespace Vitals.Devices.Gatt;

/// <summary>What <see cref="GhsSegmentAssembler.Feed"/> made of one notification.</summary>
public enum GhsFeedResult
{
    NeedMore,
    Record,
    Error,
}
