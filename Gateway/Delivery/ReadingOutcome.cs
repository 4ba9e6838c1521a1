using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// What one delivery round made of one reading: its result, whether it was in a request of its own
/// (<see cref="Alone"/>: a server error then follows the reading, not the Bundle) and whether it was sent at all
/// (<see cref="Sent"/> false: an earlier part of its Bundle failed and the rest waited, in order).
/// </summary>
internal readonly record struct ReadingOutcome(OutboxEntry Entry, DeliveryResult Result, bool Alone, bool Sent);
