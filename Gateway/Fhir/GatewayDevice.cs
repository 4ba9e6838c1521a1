using System.Reflection;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// This gateway as a Device: the PHD IG's personal health gateway (PHD IG STU 2, PhgDevice). Every Observation's
/// observation-gatewayDevice extension references it by <see cref="Identifier"/>. Its identity is
/// <c>Fhir:GatewayId</c> when configured (under <c>Fhir:DeviceIdentifierSystem</c>, as before); otherwise the EUI-64
/// the store generated at first run (<see cref="UseGenerated"/>), as the SYSID identifier PhgDevice requires, so that
/// two installations never share one. Before a store is known (<c>decode</c>), <see cref="Fallback"/>.
/// </summary>
public sealed class GatewayDevice(IOptions<FhirOptions> options)
{
    /// <summary>The id of output made without a store (<c>decode</c>): it names no installation.</summary>
    public const string Fallback = "vitals-gateway";

    private readonly FhirOptions _options = options.Value;
    private string? _generated;

    /// <summary>The store's generated EUI-64 (<c>XX-XX-XX-XX-XX-XX-XX-XX</c>); set once at start-up.</summary>
    public void UseGenerated(string eui64)
    {
        ArgumentException.ThrowIfNullOrEmpty(eui64);
        Interlocked.CompareExchange(ref _generated, eui64, null);
    }

    public bool IsConfigured => !string.IsNullOrEmpty(_options.GatewayId);

    /// <summary>What the observation-gatewayDevice references and the conditional create of <see cref="Resource"/> is on.</summary>
    public Identifier Identifier =>
        IsConfigured ? new Identifier(_options.DeviceIdentifierSystem, _options.GatewayId)
        : Volatile.Read(ref _generated) is { } eui64 ? PhdDeviceDescription.SystemIdentifier(eui64)
        : new Identifier(_options.DeviceIdentifierSystem, Fallback);

    public string Display => Identifier.Value ?? Fallback;

    /// <summary>
    /// The PhgDevice: its identifier, type MDC 531981 MDC_MOC_VMS_MDS_AHD (an application hosting device, PhgDevice's
    /// fixed type), the software as manufacturer, model and a version typed MDC_ID_PROD_SPEC_SW.
    /// </summary>
    public Device Resource()
    {
        var device = new Device
        {
            Status = Device.FHIRDeviceStatus.Active,
            Type = new CodeableConcept(FhirSystems.Mdc, "531981", "MDC_MOC_VMS_MDS_AHD", "Personal health gateway"),
            Manufacturer = "Vitals Gateway project",
            ModelNumber = "Vitals Gateway",
        };
        device.Identifier.Add(Identifier);
        device.DeviceName.Add(new Device.DeviceNameComponent { Name = "Vitals Gateway " + Display, Type = DeviceNameType.UserFriendlyName });
        var version = typeof(GatewayDevice).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0];
        if (!string.IsNullOrEmpty(version))
        {
            device.Version.Add(new Device.VersionComponent
            {
                Type = new CodeableConcept(FhirSystems.Mdc, "531975", "MDC_ID_PROD_SPEC_SW", null),
                Value = version,
            });
        }
        return device;
    }
}
