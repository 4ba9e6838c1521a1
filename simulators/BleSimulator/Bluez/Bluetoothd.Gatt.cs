using System.Buffers.Binary;
using System.Globalization;
using Vitals.Devices.Gatt;
using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>GattCharacteristic1 methods, and how the devices send values (indications, GHS segments, RACP).</summary>
internal sealed partial class Bluetoothd
{
    private const string AttErrorPrefix = "Operation failed with ATT error: ";

    internal void StartNotify(GattCharacteristicInterface characteristic, MethodCall call)
    {
        if (!characteristic.Spec.CanNotify)
        {
            call.ReplyError(BluezErrors.NotSupported, "Operation is not supported");
            return;
        }
        if (!characteristic.Sessions.Add(call.Sender))
        {
            // BlueZ answers a second StartNotify from the same connection with success.
            call.ReplyEmpty();
            return;
        }
        call.ReplyEmpty();
        // Connected: BlueZ writes the CCCD now. Disconnected (a bonded device's cached object): armed for later.
        SessionsChanged(characteristic.Entry, characteristic);
    }

    internal void StopNotify(GattCharacteristicInterface characteristic, MethodCall call)
    {
        if (!characteristic.Sessions.Remove(call.Sender))
        {
            call.ReplyError(BluezErrors.Failed, "No notify session started");
            return;
        }
        call.ReplyEmpty();
        SessionsChanged(characteristic.Entry, characteristic);
    }

    internal void ReadValue(GattCharacteristicInterface characteristic, MethodCall call)
    {
        var entry = characteristic.Entry;
        if (!entry.IsResolved)
        {
            call.ReplyError(BluezErrors.Failed, "Not connected");
            return;
        }
        if (!characteristic.Spec.CanRead)
        {
            call.ReplyError(BluezErrors.NotPermitted, "Read not permitted");
            return;
        }
        var p = entry.Peripheral;
        byte[] value;
        switch (characteristic.Spec.Uuid)
        {
            case GattUuids.TemperatureType:
                value = [6]; // mouth
                break;
            case GattUuids.BloodPressureFeature:
                value = [0x00, 0x00];
                break;
            case GattUuids.WeightScaleFeature:
                value = new byte[WeightScaleFeature.Length];
                new WeightScaleFeature(TimeStamp: true, MultipleUsers: false, Bmi: true, WeightScaleFeature.FiveGrams, WeightScaleFeature.OneMillimetre).TryFormat(value, out _);
                break;
            case GattUuids.HealthSensorFeatures:
                value = new byte[5];
                BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(1), GhsNomenclature.MdcRespRate);
                break;
            case GattUuids.CurrentTime:
            {
                var clock = TimeZoneInfo.ConvertTime(_time.GetUtcNow() + p.ClockOffset, _zone).DateTime;
                value = new byte[CurrentTime.Length];
                CurrentTime.From(clock, 0).TryFormat(value, out _);
                break;
            }
            default:
                value = characteristic.Properties["Value"].GetArray<byte>();
                break;
        }
        characteristic.CacheValue(value);
        call.ReplyBytes(value);
    }

    internal void WriteValue(GattCharacteristicInterface characteristic, MethodCall call, byte[] value)
    {
        var entry = characteristic.Entry;
        if (!entry.IsResolved)
        {
            call.ReplyError(BluezErrors.Failed, "Not connected");
            return;
        }
        if (!characteristic.Spec.CanWrite)
        {
            call.ReplyError(BluezErrors.NotPermitted, "Write not permitted");
            return;
        }
        var p = entry.Peripheral;
        switch (characteristic.Spec.Uuid)
        {
            case GattUuids.CurrentTime:
                if (!CurrentTime.TryParse(value, out var written, out _) || !written.TryGetDateTime(out var local))
                {
                    call.ReplyError(BluezErrors.Failed, AttErrorPrefix + "0xff"); // Out of Range (CTS)
                    return;
                }
                // The collector set the device clock: from now on it keeps that wall clock.
                var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), _zone);
                p.ClockOffset = new DateTimeOffset(utc, TimeSpan.Zero) - _time.GetUtcNow();
                call.ReplyEmpty();
                SimulatorLog.DeviceEvent(_logger, p.Address, string.Create(CultureInfo.InvariantCulture, $"clock set; offset now {p.ClockOffset.TotalSeconds:0.#} s"));
                return;
            case GattUuids.GhsControlPoint:
                call.ReplyEmpty();
                byte response;
                switch (value)
                {
                    case [0x01]:
                        p.LiveStopped = false;
                        response = 0x80;
                        break;
                    case [0x02]:
                        p.LiveStopped = true;
                        response = 0x80;
                        break;
                    default:
                        response = 0x82;
                        break;
                }
                Send(entry, GattUuids.GhsControlPoint, [response]);
                return;
            case GattUuids.RecordAccessControlPoint:
                if (!p.EnabledCccds.Contains(GattUuids.RecordAccessControlPoint))
                {
                    // RACP requires indications enabled first.
                    call.ReplyError(BluezErrors.Failed, AttErrorPrefix + "0xfd");
                    return;
                }
                call.ReplyEmpty();
                HandleRacp(entry, value);
                return;
            default:
                call.ReplyEmpty();
                return;
        }
    }

    private void HandleRacp(DeviceEntry entry, byte[] request)
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
    private void CccdEnabled(DeviceEntry entry, ushort uuid)
    {
        if (uuid == entry.Peripheral.MeasurementUuid && !entry.Peripheral.IsGhs)
        {
            ReleasePending(entry);
        }
    }

    /// <summary>HTS/BPS/WSS: indicate every stored measurement if the measurement CCCD is enabled.</summary>
    private void ReleasePending(DeviceEntry entry)
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
                SimulatorLog.ReadingLost(_logger, p.Address, measurement.Reading.TakenAt, measurement.Reading.Uuid);
            }
        }
    }

    /// <summary>
    /// The device sends one PDU (the CCCD must be enabled and the link up; callers check). BlueZ turns it into a
    /// PropertiesChanged on Value when a notify session is armed; otherwise it confirms an indication itself and
    /// the value is gone.
    /// </summary>
    private string Send(DeviceEntry entry, ushort uuid, byte[] value)
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
    private string SendSegmented(DeviceEntry entry, ushort uuid, byte[] record)
    {
        var p = entry.Peripheral;
        var room = Math.Max(1, p.Mtu - 3 - 1);
        var fate = ReadingFate.Indicated;
        for (var at = 0; at < record.Length; at += room)
        {
            var length = Math.Min(room, record.Length - at);
            p.SegmentCounters.TryGetValue(uuid, out var counter);
            p.SegmentCounters[uuid] = (counter + 1) % GhsSegment.CounterModulus;
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
}
