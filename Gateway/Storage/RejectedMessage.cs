namespace Vitals.Gateway.Storage;

/// <summary>A message kept with the reason it could not become a reading; <see cref="Origin"/> as its source named it.</summary>
public sealed record RejectedMessage(long Id, DateTimeOffset ReceivedAt, string Origin, string Reason, byte[] Payload);
