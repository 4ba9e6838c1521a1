namespace Vitals.Gateway.Fhir;

/// <summary>
/// A body-temperature measurement site: the name devices use (README "MQTT contract"), the text shown to clinicians, and the
/// MDC term for a temperature at that site where 11073-10101 has one (docs/fhir.md, "MDC codes").
/// </summary>
public sealed record TemperatureSite(string Name, string Text, string? Mdc = null, string? MdcReferenceId = null);
