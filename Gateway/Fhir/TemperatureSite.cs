namespace Vitals.Gateway.Fhir;

/// <summary>
/// A body-temperature measurement site: the name devices use (design.md), the text shown to clinicians, and the
/// MDC term for a temperature at that site where 11073-10101 has one (fhir.md, "Temperature sites").
/// </summary>
public sealed record TemperatureSite(string Name, string Text, string? Mdc = null, string? MdcReferenceId = null);
