namespace Vitals.Gateway.Storage;

/// <summary>
/// A bind whose validity would overlap an earlier binding of the same slot: two patients for one reading time would
/// make the registry guess, so the bind is refused and nothing changes.
/// </summary>
public sealed class BindingConflictException : InvalidOperationException
{
    public BindingConflictException()
    {
    }

    public BindingConflictException(string message) : base(message)
    {
    }

    public BindingConflictException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>The binding the refused one would overlap.</summary>
    public BindingRecord? Existing { get; init; }

    internal static BindingConflictException Overlapping(BindingRecord existing, DateTimeOffset from) =>
        new($"device {existing.DeviceId} {SlotText(existing.User)} was bound from {existing.From:O}" +
            (existing.To is { } to ? $" to {to:O}" : "") + $"; a binding from {from:O} would overlap it (readings already filed never move)")
        {
            Existing = existing,
        };

    internal static string SlotText(int? user) => user is { } u ? $"user {u}" : "(no user)";
}
