using System.Globalization;
using System.Text;

namespace Vitals.Devices;

/// <summary>
/// The identity of a measurement, built only from what the device said (PHD IG de-duplication rule, docs/fhir.md):
/// device id, kind, the device's raw time stamp and its own record number. A resend of the same measurement yields the
/// same key; the store ignores a second copy and the FHIR identifier is derived from it.
/// </summary>
public static class ReadingIdentity
{
    public static string Key(Reading reading)
    {
        var sb = new StringBuilder(96);
        sb.Append(reading.DeviceId).Append('|').Append(reading.Kind.ToTopicName()).Append('|');
        // A reading without a device time can only be told apart by when it arrived; such readings are flagged
        // (TimeQuality.ReceiptTime) and a broker redelivery of one is not recognisable as the same measurement.
        sb.Append(reading.DeviceTime ?? "received:" + reading.EffectiveTime.ToString("O", CultureInfo.InvariantCulture));
        sb.Append('|').Append(reading.MeasurementId ?? "");
        // Two users of one scale or cuff may measure within the same second; appended only when known so that the
        // keys (and FHIR identifiers) of readings stored before user ids existed stay the same.
        if (reading.UserId is { } user)
        {
            sb.Append("|user:").Append(user.ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }
}
