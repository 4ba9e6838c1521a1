using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>
/// What a bind does to a slot's history, the same for both stores: validities of one slot never overlap, so that a
/// reading's effective time names at most one patient (the registry never guesses).
/// </summary>
internal sealed record BindingPlan(BindingRecord? Close, BindingRecord? Extend, bool Insert, DateTimeOffset ValidFrom)
{
    /// <param name="slotHistory">every binding of the slot, current one included</param>
    /// <exception cref="BindingConflictException">the new validity would overlap an earlier binding of the slot</exception>
    public static BindingPlan For(IReadOnlyList<BindingRecord> slotHistory, PatientId patient, DateTimeOffset from)
    {
        ArgumentNullException.ThrowIfNull(slotHistory);
        BindingRecord? current = null;
        foreach (var b in slotHistory)
        {
            if (b.To is null)
            {
                current = b;
            }
            else if (b.To > from)
            {
                throw BindingConflictException.Overlapping(b, from);
            }
        }
        if (current is null)
        {
            return new BindingPlan(null, null, Insert: true, from);
        }
        if (current.Patient == patient)
        {
            // The same patient again: one binding, starting at the earlier of the two.
            return from < current.From
                ? new BindingPlan(null, current, Insert: false, from)
                : new BindingPlan(null, null, Insert: false, current.From);
        }
        // A reassignment ends the current binding where the new one starts; it must leave the old one a period.
        if (from <= current.From)
        {
            throw BindingConflictException.Overlapping(current, from);
        }
        return new BindingPlan(current, null, Insert: true, from);
    }
}
