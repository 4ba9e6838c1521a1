using System.Buffers.Binary;
using System.Globalization;
using Vitals.Devices.Gatt;
using Vitals.Simulators.BleSimulator.DBus;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// A device's GATT database as BlueZ exports it (GattService1, GattCharacteristic1 objects whose paths carry ATT
/// handles) and the characteristics' methods. Notify sessions belong to the D-Bus connection that called StartNotify
/// (BlueZ doc/org.bluez.GattCharacteristic.rst): they go with the object or with their connection, and BlueZ writes
/// the CCCD when the link allows. Called with the daemon's lock held.
/// </summary>
internal sealed class GattExport(DaemonState state, PeripheralRadio radio)
{
    private const string AttErrorPrefix = "Operation failed with ATT error: ";

    public void StartNotify(GattCharacteristicInterface characteristic, MethodCall call)
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

    public void StopNotify(GattCharacteristicInterface characteristic, MethodCall call)
    {
        if (!characteristic.Sessions.Remove(call.Sender))
        {
            call.ReplyError(BluezErrors.Failed, "No notify session started");
            return;
        }
        call.ReplyEmpty();
        SessionsChanged(characteristic.Entry, characteristic);
    }

    public void ReadValue(GattCharacteristicInterface characteristic, MethodCall call)
    {
        var entry = characteristic.Entry;
        if (RefusedDisconnected(entry, call))
        {
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
                var clock = TimeZoneInfo.ConvertTime(state.Time.GetUtcNow() + p.ClockOffset, state.Zone).DateTime;
                value = new byte[CurrentTime.Length];
                CurrentTime.From(clock, 0).TryFormat(value, out _);
                break;
            }
            default:
                value = p.Information.Value(characteristic.Spec.Uuid) ?? characteristic.Properties["Value"].GetArray<byte>();
                break;
        }
        characteristic.CacheValue(value);
        call.ReplyBytes(value);
    }

    public void WriteValue(GattCharacteristicInterface characteristic, MethodCall call, byte[] value)
    {
        var entry = characteristic.Entry;
        if (RefusedDisconnected(entry, call))
        {
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
                var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), state.Zone);
                p.ClockOffset = new DateTimeOffset(utc, TimeSpan.Zero) - state.Time.GetUtcNow();
                call.ReplyEmpty();
                SimulatorLog.DeviceEvent(state.Logger, p.Address, string.Create(CultureInfo.InvariantCulture, $"clock set; offset now {p.ClockOffset.TotalSeconds:0.#} s"));
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
                radio.Send(entry, GattUuids.GhsControlPoint, [response]);
                return;
            case GattUuids.RecordAccessControlPoint:
                if (!p.EnabledCccds.Contains(GattUuids.RecordAccessControlPoint))
                {
                    // RACP requires indications enabled first.
                    call.ReplyError(BluezErrors.Failed, AttErrorPrefix + "0xfd");
                    return;
                }
                call.ReplyEmpty();
                radio.HandleRacp(entry, value);
                return;
            default:
                call.ReplyEmpty();
                return;
        }
    }

    /// <summary>After a session came or went: Notifying follows, and BlueZ writes the CCCD when the link allows.</summary>
    private void SessionsChanged(DeviceEntry entry, GattCharacteristicInterface characteristic)
    {
        characteristic.UpdateNotifying();
        if (!entry.IsResolved)
        {
            // Nothing can be written to a device that is not connected: its CCCD keeps whatever it had.
            return;
        }
        var uuid = characteristic.Spec.Uuid;
        if (characteristic.Sessions.Count > 0)
        {
            if (entry.Peripheral.EnabledCccds.Add(uuid))
            {
                radio.CccdEnabled(entry, uuid);
            }
        }
        else
        {
            entry.Peripheral.EnabledCccds.Remove(uuid);
        }
    }

    public void ExportGatt(DeviceEntry entry)
    {
        var p = entry.Peripheral;
        // Handles differ per device (and so do paths): clients must resolve by UUID (bluez.md).
        var handle = (ushort)(0x000A + 0x0010 * (p.Index % 3));
        foreach (var service in p.Services)
        {
            var servicePath = string.Create(CultureInfo.InvariantCulture, $"{entry.Path}/service{handle:x4}");
            var serviceObject = new BusObject(servicePath, new GattServiceInterface(service, entry.Path, handle));
            state.Tree.Add(serviceObject);
            entry.GattObjects.Add(serviceObject);
            var h = handle;
            foreach (var spec in service.Characteristics)
            {
                var declaration = (ushort)(h + 1);
                var characteristicPath = string.Create(CultureInfo.InvariantCulture, $"{servicePath}/char{declaration:x4}");
                var characteristic = new GattCharacteristicInterface(this, entry, spec, servicePath, (ushort)(declaration + 1), p.Mtu);
                var characteristicObject = new BusObject(characteristicPath, characteristic);
                state.Tree.Add(characteristicObject);
                entry.GattObjects.Add(characteristicObject);
                entry.Characteristics[spec.Uuid] = characteristic;
                h = (ushort)(declaration + (spec.CanNotify ? 2 : 1));
            }
            handle = (ushort)(h + 1);
        }
    }

    public void RemoveGatt(DeviceEntry entry)
    {
        for (var i = entry.GattObjects.Count - 1; i >= 0; i--)
        {
            state.Tree.Remove(entry.GattObjects[i].Path);
        }
        entry.GattObjects.Clear();
        entry.Characteristics.Clear();
    }

    /// <summary>Reads and writes need the link: BlueZ answers Failed "Not connected" without one. True when it did.</summary>
    private static bool RefusedDisconnected(DeviceEntry entry, MethodCall call)
    {
        if (entry.IsResolved) return false;
        call.ReplyError(BluezErrors.Failed, "Not connected");
        return true;
    }

    /// <summary>Services are being resolved: the objects exist (cached for a bonded device) with this link's MTU.</summary>
    public void PrepareResolved(DeviceEntry entry)
    {
        if (entry.GattObjects.Count == 0)
        {
            ExportGatt(entry);
        }
        foreach (var characteristic in entry.Characteristics.Values)
        {
            characteristic.SetMtu(entry.Peripheral.Mtu);
        }
    }

    /// <summary>BlueZ re-arms the notify sessions that survived the link loss by writing the CCCDs again.</summary>
    public void RearmSessions(DeviceEntry entry)
    {
        foreach (var characteristic in entry.Characteristics.Values.Where(c => c.Sessions.Count > 0))
        {
            entry.Peripheral.EnabledCccds.Add(characteristic.Spec.Uuid);
        }
    }

    /// <summary>A client left the bus: its notify sessions end. Returns how many.</summary>
    public int DropSessionsOf(string sender)
    {
        var dropped = 0;
        foreach (var entry in state.Entries.Values)
        {
            foreach (var characteristic in entry.Characteristics.Values)
            {
                if (characteristic.Sessions.Remove(sender))
                {
                    dropped++;
                    SessionsChanged(entry, characteristic);
                }
            }
        }
        return dropped;
    }
}
