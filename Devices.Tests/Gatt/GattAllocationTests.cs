using Vitals.Devices.Gatt;

namespace Vitals.Devices.Tests.Gatt;

/// <summary>
/// The budget: parsing a characteristic allocates nothing on success (messages are built only on failure).
/// Counted with the thread's allocation counter, not timed. The inputs are the ones GattBenchmarks measures.
/// </summary>
public sealed class GattAllocationTests
{
    [Fact]
    public void Successful_parses_allocate_nothing()
    {
        byte[] temperature = Convert.FromHexString("07B00E00FEEA070B19081E0006");
        byte[] bloodPressure = Convert.FromHexString("1F78005000" + "5D00EA070B19081E00" + "4800" + "02" + "2500");
        byte[] weight = Convert.FromHexString("0FB036EA070B19081E0001E500D606");
        byte[] heartRate = Convert.FromHexString("1F480010000004");
        byte[] plx = Convert.FromHexString("1F61004800EA070B19081E00004000000034F0");
        byte[] ghs = Convert.FromHexString("011A0003000A500200120859993200000004E00A040010000000");
        Span<byte> buffer = stackalloc byte[64];

        // Warm up first: tiered compilation and static initialisers allocate once.
        for (var round = 0; round < 2; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(TemperatureMeasurement.TryParse(temperature, out var t, out _));
                Assert.True(BloodPressureMeasurement.TryParse(bloodPressure, out var b, out _));
                Assert.True(WeightMeasurement.TryParse(weight, out var w, out _));
                Assert.True(HeartRateMeasurement.TryParse(heartRate, out var h, out _));
                Assert.True(PlxSpotCheckMeasurement.TryParse(plx, out var p, out _));
                Assert.True(GhsObservation.TryParse(ghs, out var g, out _));
                Assert.True(t.TryFormat(buffer, out _) && b.TryFormat(buffer, out _) && w.TryFormat(buffer, out _)
                    && h.TryFormat(buffer, out _) && p.TryFormat(buffer, out _) && g.TryFormat(buffer, out _));
                Assert.True(Sfloat.TryDecode(0xF065, out _) && Float32.TryDecode(0xFE000EB0, out _));
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (round == 1)
            {
                Assert.Equal(0, allocated);
            }
        }
    }
}
