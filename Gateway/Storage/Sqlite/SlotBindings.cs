namespace Vitals.Gateway.Storage.Sqlite;

/// <summary>
/// The bindings of one slot as the store's fixed-width UTC text (<see cref="SqliteTime"/>), which orders like the
/// instants: the commit matches each reading's effective time without parsing.
/// </summary>
internal sealed class SlotBindings(IReadOnlyList<(string Patient, string From, string? To)> periods)
{
    /// <summary>The patient whose validity [from, to) contains <paramref name="effectiveTime"/>, or null (quarantine).</summary>
    public string? PatientAt(string effectiveTime)
    {
        foreach (var (patient, from, to) in periods)
        {
            if (string.CompareOrdinal(effectiveTime, from) >= 0 && (to is null || string.CompareOrdinal(effectiveTime, to) < 0))
            {
                return patient;
            }
        }
        return null;
    }
}
