using Microsoft.Extensions.Options;
using Vitals.Devices;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// Which decoded readings may become Observations at all (docs/fhir.md, "Status"). Applied before the commit, so a
/// reading that may not is kept in the rejected store with its reason instead of waiting in the outbox:
/// <list type="bullet">
/// <item>a measurement the device flags invalid, unless <c>Fhir:UploadInvalid</c> (then entered-in-error);</item>
/// <item>test or demonstration data, unless <c>Ehr:DeliverTestData</c> (then labelled HTEST).</item>
/// </list>
/// </summary>
public sealed class ReadingAdmission(IOptions<FhirOptions> fhir, IOptions<TestDataOptions> testData)
{
    private readonly bool _uploadInvalid = fhir.Value.UploadInvalid;
    private readonly bool _deliverTestData = testData.Value.DeliverTestData;

    /// <summary>Admits everything the defaults admit (the <c>decode</c> CLI and tests without configuration).</summary>
    public static ReadingAdmission Default { get; } = new(Options.Create(new FhirOptions()), Options.Create(new TestDataOptions()));

    public bool TryAdmit(Reading reading, out DecodeError error)
    {
        ArgumentNullException.ThrowIfNull(reading);
        error = default;
        if (reading.Status.HasFlag(MeasurementStatus.TestData) && !_deliverTestData)
        {
            error = new("status", "the device flags this measurement as test data; it is kept here, not delivered (Ehr:DeliverTestData is off)");
            return false;
        }
        if (reading.Status.HasFlag(MeasurementStatus.Invalid) && !_uploadInvalid)
        {
            error = new("status", "the device flags this measurement as invalid; it is kept here, not delivered (Fhir:UploadInvalid is off)");
            return false;
        }
        return true;
    }
}
