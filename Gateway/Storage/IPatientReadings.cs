using Vitals.Gateway.Patients;

namespace Vitals.Gateway.Storage;

/// <summary>
/// A patient's own readings of one device slot, for the pairing page's "Your readings": only readings filed under that
/// patient (never a quarantined one, never another slot's), with where each stands on its way to the EHR.
/// </summary>
public interface IPatientReadings
{
    /// <summary>
    /// The readings of slot (<paramref name="deviceId"/>, <paramref name="user"/>) filed under <paramref name="patient"/>,
    /// taken and received at or after <paramref name="since"/> (the received time bounds the scan by its index), newest
    /// first, at most <paramref name="limit"/>.
    /// </summary>
    Task<IReadOnlyList<PatientReading>> ListPatientReadingsAsync(PatientId patient, string deviceId, int? user,
        DateTimeOffset since, int limit, CancellationToken ct);
}
