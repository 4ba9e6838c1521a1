namespace Vitals.Devices.Gatt;

/// <summary>Sensor Contact Status of 0x2A37 (flag bits 1..2).</summary>
public enum SensorContact : byte
{
    /// <summary>0: the sensor does not report contact.</summary>
    NotSupported = 0,
    /// <summary>1: also "not supported" in the Heart Rate spec.</summary>
    NotSupportedAlternative = 1,
    /// <summary>2: supported, and no skin contact: the value is questionable.</summary>
    NotDetected = 2,
    Detected = 3,
}
