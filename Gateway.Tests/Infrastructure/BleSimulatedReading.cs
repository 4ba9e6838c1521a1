using System.Text.Json;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// A reading as the BLE simulator's control API reports it (ground truth). <see cref="Delivered"/>: "indicated",
/// "stored" or "lost".
/// </summary>
public sealed record BleSimulatedReading(
    string Address,
    string Kind,
    string Uuid,
    string Hex,
    DateTimeOffset TakenAt,
    string DeviceTime,
    JsonElement Values,
    string Delivered,
    uint? RecordNumber,
    int? User = null)
{
    public byte[] Bytes => Convert.FromHexString(Hex);

    public decimal Value(string name) => Values.GetProperty(name).GetDecimal();
}
