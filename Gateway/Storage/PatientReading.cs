using Vitals.Devices;

namespace Vitals.Gateway.Storage;

/// <summary>Where a patient's reading stands: waiting (queued), accepted by the EHR, or given up (a dead letter).</summary>
public enum PatientReadingState
{
    Waiting,
    Delivered,
    Dead,
}

/// <summary>One of a patient's readings: the reading, its state and, once the EHR accepted it, when.</summary>
public sealed record PatientReading(long ReadingId, Reading Reading, PatientReadingState State, DateTimeOffset? DeliveredAt)
{
    internal static PatientReadingState ParseState(string state) => state switch
    {
        "delivered" => PatientReadingState.Delivered,
        "dead" => PatientReadingState.Dead,
        _ => PatientReadingState.Waiting,
    };
}
