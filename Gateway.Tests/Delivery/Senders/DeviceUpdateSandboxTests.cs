using System.Text.Json;
using Hl7.Fhir.Model;
using Task = System.Threading.Tasks.Task;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Tests.Infrastructure;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Delivery.Senders;

/// <summary>
/// A device whose description changes (a firmware update read from its Device Information Service) gets its Device in
/// the sandbox EHR updated, whichever profile, across a restart of the gateway; an unchanged one costs no new version.
/// </summary>
public sealed class DeviceUpdateSandboxTests(NeutralSandboxEhrFixture fixture) : IClassFixture<NeutralSandboxEhrFixture>, IDisposable
{
    private const string Address = "C0-FF-EE-00-00-07";
    private readonly TempStore _temp = new();

    [Theory]
    [InlineData(EhrProfile.FhirTransaction)]
    [InlineData(EhrProfile.FhirConditional)]
    [InlineData(EhrProfile.SinglePost)]
    public async System.Threading.Tasks.Task After_a_firmware_update_the_EHRs_Device_carries_the_new_firmware_in_a_new_version(EhrProfile profile)
    {
        var ehr = fixture.Ehr;
        await ehr.ResetAsync();
        var ledger = profile == EhrProfile.SinglePost ? (await _temp.OpenAsync()).Ledger : null;

        await DeliverAsync(ehr.BaseUrlText, profile, ledger, "1.0.0", "reading-1");
        // Same process: the firmware changes between two connections.
        var (sender, http) = Create(ehr.BaseUrlText, profile, ledger);
        using (http)
        {
            Assert.IsType<DeliveryResult.Delivered>(await sender.SendAsync(Reading("1.0.0", "reading-2"), default));
            Assert.IsType<DeliveryResult.Delivered>(await sender.SendAsync(Reading("2.1.0", "reading-3"), default));
        }
        var device = Assert.Single(await ehr.SearchAllAsync("Device"));
        Assert.Equal("2.1.0", device.GetProperty("version")[0].GetProperty("value").GetString());
        Assert.Equal(2, await VersionsAsync(ehr, device));

        // A restart knows nothing of what the EHR holds: it reads the Device once and updates it only if it differs.
        await DeliverAsync(ehr.BaseUrlText, profile, ledger, "2.1.0", "reading-4");
        Assert.Equal(2, await VersionsAsync(ehr, Assert.Single(await ehr.SearchAllAsync("Device"))));
        await DeliverAsync(ehr.BaseUrlText, profile, ledger, "2.2.0", "reading-5");
        device = Assert.Single(await ehr.SearchAllAsync("Device"));
        Assert.Equal("2.2.0", device.GetProperty("version")[0].GetProperty("value").GetString());
        Assert.Equal(3, await VersionsAsync(ehr, device));
        Assert.Equal(5, await ehr.CountAsync("Observation"));
    }

    private static async Task<int> VersionsAsync(SandboxEhrProcess ehr, JsonElement device)
    {
        using var history = await ehr.SearchAsync($"Device/{device.GetProperty("id").GetString()}/_history");
        return history.RootElement.GetProperty("entry").GetArrayLength();
    }

    private async System.Threading.Tasks.Task DeliverAsync(string baseUrl, EhrProfile profile, Vitals.Gateway.Storage.IDeliveryLedger? ledger, string firmware, string key)
    {
        var (sender, http) = Create(baseUrl, profile, ledger);
        using (http)
            Assert.IsType<DeliveryResult.Delivered>(await sender.SendAsync(Reading(firmware, key), default));
    }

    private static MappedReading Reading(string firmware, string key)
    {
        var mapped = Some.MappedTemperature(Address, key);
        mapped.Device.Version.Add(new Device.VersionComponent
        {
            Type = new CodeableConcept(FhirSystems.Mdc, "531976", "MDC_ID_PROD_SPEC_FW", null),
            Value = firmware,
        });
        return mapped;
    }

    private static (IEhrSender Sender, EhrHttpClient Http) Create(string baseUrl, EhrProfile profile, Vitals.Gateway.Storage.IDeliveryLedger? ledger)
    {
        var options = Options.Create(new EhrOptions { BaseUrl = baseUrl, Profile = profile });
        var http = Some.EhrHttpClient(options, new RecordingLogger<EhrHttpClient>());
        return (Some.Sender(profile, http, options, ledger), http);
    }

    public void Dispose() => _temp.Dispose();
}
