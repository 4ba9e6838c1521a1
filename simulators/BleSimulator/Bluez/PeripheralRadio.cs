using Vitals.Devices.Gatt;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// The devices' side of the air: what a peripheral sends (indications, GHS segments, RACP answers) and when. BlueZ
/// turns a PDU into a PropertiesChanged on Value only when a notify session is armed; otherwise it confirms an
/// indication itself and the value is gone. Called with the daemon's lock held.
/// </summary>
internal sealed class PeripheralRadio(DaemonState state)
{
    public void HandleRacp(DeviceEntry entry, byte[] request)
    {
        var p = entry.Peripheral;
        if (!RecordAccessControlPoint.TryParse(request, out var racp, out _))
        {
            var opcode = request.Length > 0 ? (RacpOpcode)request[0] : 0;
            var code = request.Length > 0 && request[0] is >= 1 and <= 4 ? RacpResponseCode.InvalidOperator : RacpResponseCode.OpcodeNotSupported;
            SendRacp(entry, RecordAccessControlPoint.ResponseTo(opcode, code));
            return;
        }
        IReadOnlyList<Measurement>? Select()
        {
            var records = p.Records;
            return racp.Operator switch
            {
                RacpOperator.AllRecords => [.. records],
                RacpOperator.FirstRecord => records.Count > 0 ? [records[0]] : [],
                RacpOperator.LastRecord => records.Count > 0 ? [records[^1]] : [],
                RacpOperator.LessThanOrEqual => [.. records.Where(r => r.Reading.RecordNumber <= racp.Minimum)],
                RacpOperator.GreaterThanOrEqual => [.. records.Where(r => r.Reading.RecordNumber >= racp.Minimum)],
                RacpOperator.WithinRange => [.. records.Where(r => r.Reading.RecordNumber >= racp.Minimum && r.Reading.RecordNumber <= racp.Maximum)],
                _ => null,
            };
        }
        switch (racp.Opcode)
        {
            case RacpOpcode.ReportStoredRecords:
            {
                var selected = Select();
                if (selected is null)
                {
                    SendRacp(entry, RecordAccessControlPoint.ResponseTo(racp.Opcode, RacpResponseCode.InvalidOperator));
                    return;
                }
                if (selected.Count == 0)
                {
                    SendRacp(entry, RecordAccessControlPoint.ResponseTo(racp.Opcode, RacpResponseCode.NoRecordsFound));
                    return;
                }
                foreach (var record in selected)
                {
                    var fate = SendSegmented(entry, GattUuids.StoredHealthObservations, record.Value);
                    if (fate == ReadingFate.Indicated)
                    {
                        record.Reading.Delivered = ReadingFate.Indicated;
                    }
                }
                SendRacp(entry, RecordAccessControlPoint.ResponseTo(racp.Opcode, RacpResponseCode.Success));
                return;
            }
            case RacpOpcode.ReportNumberOfStoredRecords:
            {
                var selected = Select();
                SendRacp(entry, selected is null
                    ? RecordAccessControlPoint.ResponseTo(racp.Opcode, RacpResponseCode.InvalidOperator)
                    : RecordAccessControlPoint.NumberResponse((ushort)Math.Min(selected.Count, ushort.MaxValue)));
                return;
            }
            case RacpOpcode.DeleteStoredRecords:
            {
                var selected = Select();
                if (selected is null)
                {
                    SendRacp(entry, RecordAccessControlPoint.ResponseTo(racp.Opcode, RacpResponseCode.InvalidOperator));
                    return;
                }
                var doomed = selected.ToHashSet();
                p.Records.RemoveAll(doomed.Contains);
                SendRacp(entry, RecordAccessControlPoint.ResponseTo(racp.Opcode, selected.Count == 0 ? RacpResponseCode.NoRecordsFound : RacpResponseCode.Success));
                return;
            }
            case RacpOpcode.Abort:
                SendRacp(entry, RecordAccessControlPoint.ResponseTo(racp.Opcode, RacpResponseCode.Success));
                return;
            default:
                SendRacp(entry, RecordAccessControlPoint.ResponseTo(racp.Opcode, RacpResponseCode.OpcodeNotSupported));
                return;
        }
    }

    private void SendRacp(DeviceEntry entry, RecordAccessControlPoint response)
    {
        var buffer = new byte[RecordAccessControlPoint.MaxLength];
        response.TryFormat(buffer, out var n);
        Send(entry, GattUuids.RecordAccessControlPoint, buffer[..n]);
    }

    /// <summary>A CCCD was just enabled on a connected device: a classic device now indicates what it stored.</summary>
    public void CccdEnabled(DeviceEntry entry, ushort uuid)
    {
        if (uuid == entry.Peripheral.MeasurementUuid && !entry.Peripheral.IsGhs)
        {
            ReleasePending(entry);
        }
    }

    /// <summary>HTS/BPS/WSS: indicate every stored measurement if the measurement CCCD is enabled.</summary>
    public void ReleasePending(DeviceEntry entry)
    {
        var p = entry.Peripheral;
        if (p.IsGhs || !entry.IsResolved || !p.EnabledCccds.Contains(p.MeasurementUuid))
        {
            return;
        }
        while (p.Pending.TryDequeue(out var measurement))
        {
            var fate = Send(entry, p.MeasurementUuid, measurement.Value);
            measurement.Reading.Delivered = fate;
            if (fate == ReadingFate.Lost)
            {
                SimulatorLog.ReadingLost(state.Logger, p.Address, measurement.Reading.TakenAt, measurement.Reading.Uuid);
            }
        }
    }

    /// <summary>
    /// The device sends one PDU (the CCCD must be enabled and the link up; callers check). BlueZ turns it into a
    /// PropertiesChanged on Value when a notify session is armed; otherwise it confirms an indication itself and
    /// the value is gone.
    /// </summary>
    public string Send(DeviceEntry entry, ushort uuid, byte[] value)
    {
        if (!entry.IsResolved || !entry.Peripheral.EnabledCccds.Contains(uuid)
            || !entry.Characteristics.TryGetValue(uuid, out var characteristic) || characteristic.Sessions.Count == 0)
        {
            return ReadingFate.Lost;
        }
        characteristic.PushValue(value);
        return ReadingFate.Indicated;
    }

    /// <summary>A GHS record in segments that fit the connection's ATT MTU (MTU - 3 bytes of ATT header, 1 of segmentation).</summary>
    public string SendSegmented(DeviceEntry entry, ushort uuid, byte[] record)
    {
        var p = entry.Peripheral;
        var room = Math.Max(1, p.Mtu - 3 - 1);
        var fate = ReadingFate.Indicated;
        for (var at = 0; at < record.Length; at += room)
        {
            var length = Math.Min(room, record.Length - at);
            var counter = NextCounter(p, uuid);
            var segment = new GhsSegment(at == 0, at + length == record.Length, counter, record.AsSpan(at, length));
            var pdu = new byte[1 + length];
            segment.TryFormat(pdu, out _);
            if (Send(entry, uuid, pdu) == ReadingFate.Lost)
            {
                fate = ReadingFate.Lost;
            }
        }
        return fate;
    }

    /// <summary>The next GHS segment counter of <paramref name="uuid"/> (the rolling counter of the GHS segmentation header).</summary>
    public static int NextCounter(Peripheral p, ushort uuid)
    {
        p.SegmentCounters.TryGetValue(uuid, out var counter);
        p.SegmentCounters[uuid] = (counter + 1) % GhsSegment.CounterModulus;
        return counter;
    }
}
