using Vitals.Devices.Gatt;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>What the control API and the clock do to the devices: readings, range, stored data. Takes the daemon's lock.</summary>
internal sealed class DeviceControl(DaemonState state, Link link, Adapter adapter, PeripheralRadio radio)
{
    public Peripheral? FindPeripheral(string address)
    {
        lock (state.Gate)
        {
            return state.Peripherals.Find(p => string.Equals(p.Address, address, StringComparison.OrdinalIgnoreCase));
        }
    }

    public IReadOnlyList<DeviceSnapshot> Devices()
    {
        lock (state.Gate)
        {
            var now = state.Time.GetUtcNow();
            return [.. state.Peripherals.Select(p =>
            {
                state.Entries.TryGetValue(p.Address, out var entry);
                return new DeviceSnapshot(p.Address, p.Name, p.Kind.ToApiName(),
                    entry?.Device.Connected ?? false, state.Bonds.Contains(p.Address), state.Trusted.Contains(p.Address),
                    p.IsInRange(now), p.StoredCount, Math.Round(p.ClockOffset.TotalSeconds, 3));
            })];
        }
    }

    public IReadOnlyList<SimulatedReading> Readings()
    {
        lock (state.Gate)
        {
            return [.. state.Readings];
        }
    }

    /// <summary>The device measures now: indicated if it can be, otherwise stored.</summary>
    /// <param name="user">the user button pressed on a shared cuff or scale (its readings' User ID); null: none</param>
    public SimulatedReading TakeReading(Peripheral p, byte? user = null)
    {
        lock (state.Gate)
        {
            return TakeReadingLocked(p, state.Time.GetUtcNow(), user);
        }
    }

    /// <summary>
    /// The device leaves range (its link drops), takes <paramref name="count"/> readings one second apart ending
    /// now, and comes back in range with them stored.
    /// </summary>
    public IReadOnlyList<SimulatedReading> Store(Peripheral p, int count)
    {
        lock (state.Gate)
        {
            if (state.Entries.TryGetValue(p.Address, out var entry) && (entry.Device.Connected || entry.Connecting))
            {
                entry.Connecting = false;
                link.LinkDown(entry, "out of range");
            }
            var now = state.Time.GetUtcNow();
            var taken = new List<SimulatedReading>(count);
            for (var i = 0; i < count; i++)
            {
                taken.Add(TakeReadingLocked(p, now - TimeSpan.FromSeconds(count - 1 - i)));
            }
            return taken;
        }
    }

    /// <summary>The link drops (supervision timeout) and the device stays out of range for <paramref name="away"/>.</summary>
    public void GoAway(Peripheral p, TimeSpan away)
    {
        lock (state.Gate)
        {
            if (state.Entries.TryGetValue(p.Address, out var entry) && (entry.Device.Connected || entry.Connecting))
            {
                entry.Connecting = false;
                link.LinkDown(entry, "link lost");
            }
            p.AwayUntil = state.Time.GetUtcNow() + away;
        }
    }

    /// <summary>Sends a truncated value on the measurement characteristic; null when the device cannot send now.</summary>
    public byte[]? SendMalformed(Peripheral p)
    {
        lock (state.Gate)
        {
            if (!state.Entries.TryGetValue(p.Address, out var entry) || !entry.IsResolved || !p.EnabledCccds.Contains(p.MeasurementUuid))
            {
                return null;
            }
            byte[] value = p.Kind switch
            {
                // Flags announce a time stamp that is not there.
                DeviceKind.Thermometer => [0x02, 0x6C, 0x01, 0x00, 0xFF, 0xEA, 0x07],
                DeviceKind.BloodPressure => [0x06, 0x78, 0x00, 0x50],
                DeviceKind.Scale => [0x02, 0xB0],
                // A whole-record segment whose record stops after its length field.
                _ => [(byte)(GhsSegment.FirstFlag | GhsSegment.LastFlag | PeripheralRadio.NextCounter(p, GattUuids.LiveHealthObservations) << 2), 0x01, 0x1A, 0x00],
            };
            radio.Send(entry, p.MeasurementUuid, value);
            return value;
        }
    }

    /// <summary>Periodic work: scheduled readings of devices in range, and discovery of devices that came back.</summary>
    public void Tick()
    {
        lock (state.Gate)
        {
            var now = state.Time.GetUtcNow();
            if (state.Options.Interval > TimeSpan.Zero)
            {
                foreach (var p in state.Peripherals)
                {
                    if (now >= p.NextScheduledReading)
                    {
                        p.NextScheduledReading = now + state.Options.Interval;
                        if (p.IsInRange(now))
                        {
                            TakeReadingLocked(p, now);
                        }
                    }
                }
            }
            if (state.Connection is not null && state.Adapter is not null)
            {
                adapter.Scan();
            }
        }
    }

    private SimulatedReading TakeReadingLocked(Peripheral p, DateTimeOffset at, byte? user = null)
    {
        // Whole seconds, at most one reading per device per second: device + time + kind identify a reading.
        var takenAt = new DateTimeOffset(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        if (takenAt <= p.LastTakenAt)
        {
            takenAt = p.LastTakenAt.AddSeconds(1);
        }
        p.LastTakenAt = takenAt;
        var clock = takenAt + p.ClockOffset;
        clock = new DateTimeOffset(clock.UtcTicks - clock.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var measurement = p.Generator.Next(p.Kind, p.Address, takenAt, clock, state.Zone, user);
        var reading = measurement.Reading;
        state.Readings.Add(reading);
        state.Entries.TryGetValue(p.Address, out var entry);
        var live = entry is not null && entry.IsResolved && p.EnabledCccds.Contains(p.MeasurementUuid);
        if (p.IsGhs)
        {
            if (live && !p.LiveStopped)
            {
                reading.Delivered = radio.SendSegmented(entry!, GattUuids.LiveHealthObservations, measurement.Value);
            }
            else
            {
                var number = p.NextRecordNumber++;
                var stored = measurement.Observation!.Value with { RecordNumber = number };
                var buffer = new byte[stored.RecordLength + 4];
                stored.TryFormat(buffer, out var n);
                reading.Uuid = GattUuids.StoredHealthObservations.ToString("x4", System.Globalization.CultureInfo.InvariantCulture);
                reading.Hex = Convert.ToHexStringLower(buffer.AsSpan(0, n));
                reading.RecordNumber = number;
                p.Records.Add(measurement with { Value = buffer[..n] });
            }
        }
        else if (live)
        {
            foreach (var cuff in measurement.Intermediates)
            {
                if (p.EnabledCccds.Contains(GattUuids.IntermediateCuffPressure))
                {
                    radio.Send(entry!, GattUuids.IntermediateCuffPressure, cuff);
                }
            }
            reading.Delivered = radio.Send(entry!, p.MeasurementUuid, measurement.Value);
        }
        else
        {
            p.Pending.Enqueue(measurement);
        }
        if (reading.Delivered == ReadingFate.Lost)
        {
            SimulatorLog.ReadingLost(state.Logger, p.Address, takenAt, reading.Uuid);
        }
        SimulatorLog.ReadingTaken(state.Logger, p.Address, reading.Kind, takenAt, reading.Hex, reading.Delivered);
        return reading;
    }
}
