using System.Runtime.CompilerServices;

namespace Vitals.Devices.Gatt;

/// <summary>
/// Up to <see cref="Capacity"/> RR-intervals (1/1024 s each) of one Heart Rate Measurement, stored inline so that
/// parsing allocates nothing. 16 is more than a default-MTU notification can carry (9).
/// </summary>
[InlineArray(Capacity)]
public struct RrIntervals
{
    public const int Capacity = 16;

    private ushort _first;
}
