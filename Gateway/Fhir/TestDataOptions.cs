namespace Vitals.Gateway.Fhir;

/// <summary>
/// <c>Ehr:DeliverTestData</c> (the <c>Ehr</c> section, read here because the rule is applied where readings are
/// admitted, <see cref="ReadingAdmission"/>): readings the device flags as test or demonstration data never reach the
/// EHR unless this is true, and then always carry the HTEST security label (PHD IG; docs/fhir.md).
/// </summary>
public sealed class TestDataOptions
{
    public const string SectionName = "Ehr";

    public bool DeliverTestData { get; set; }
}
