using Vitals.Simulators.BleSimulator.DBus;
using Vitals.Simulators.BleSimulator.Peripherals;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// Device1 Connect/Disconnect and the link's life. Connect returns once the link is up, BEFORE the services are
/// resolved; ServicesResolved follows 50-200 ms later (BlueZ doc/org.bluez.Device.rst). A bonded device keeps its
/// GATT objects and notify sessions across link loss; an unbonded one loses them. Called with the daemon's lock held.
/// </summary>
internal sealed class Link(DaemonState state, GattExport gatt, PeripheralRadio radio)
{
    /// <summary>Link set-up time before Connect returns (or fails with Page Timeout).</summary>
    public static readonly TimeSpan LinkSetup = TimeSpan.FromMilliseconds(60);

    public void Connect(DeviceEntry entry, MethodCall call)
    {
        if (state.RefusedUnpowered(call))
        {
            return;
        }
        if (entry.Device.Connected)
        {
            call.ReplyError(BluezErrors.AlreadyConnected, "Already Connected");
            return;
        }
        if (entry.Connecting)
        {
            call.ReplyError(BluezErrors.InProgress, "In Progress");
            return;
        }
        entry.Connecting = true;
        var generation = ++entry.LinkGeneration;
        var epoch = state.Epoch;
        call.ContinueAsync(async c =>
        {
            await Task.Delay(LinkSetup, state.Time).ConfigureAwait(false);
            lock (state.Gate)
            {
                if (epoch != state.Epoch)
                {
                    c.ReplyError(BluezErrors.Failed, "Software caused connection abort");
                    return;
                }
                if (entry.LinkGeneration != generation || !entry.Connecting)
                {
                    // Disconnect() cancelled the attempt.
                    c.ReplyError(BluezErrors.Failed, "Operation aborted");
                    return;
                }
                entry.Connecting = false;
                if (!entry.Peripheral.IsInRange(state.Time.GetUtcNow()))
                {
                    c.ReplyError(BluezErrors.Failed, "Page Timeout");
                    return;
                }
                LinkUp(entry);
                // Connect returns when the link is up; services resolve later (bluez.md).
                c.ReplyEmpty();
            }
        });
    }

    public void Disconnect(DeviceEntry entry, MethodCall call)
    {
        entry.Pairing?.Cancel();
        if (entry.Connecting)
        {
            entry.Connecting = false;
            entry.LinkGeneration++;
            call.ReplyEmpty();
            return;
        }
        if (!entry.Device.Connected)
        {
            call.ReplyError(BluezErrors.NotConnected, "Not Connected");
            return;
        }
        LinkDown(entry, "disconnected by the client");
        call.ReplyEmpty();
    }


    public void LinkUp(DeviceEntry entry)
    {
        var p = entry.Peripheral;
        p.Connections++;
        // Alternate the negotiated ATT MTU: at 23 a GHS record spans two notifications, at 64 it fits in one.
        p.Mtu = p.Connections % 2 == 1 ? 23 : 64;
        p.SegmentCounters.Clear();
        var generation = ++entry.LinkGeneration;
        entry.Device.SetConnected(true);
        SimulatorLog.DeviceEvent(state.Logger, p.Address, "connected");
        var epoch = state.Epoch;
        var delay = TimeSpan.FromMilliseconds(50 + state.Random.Next(151));
        _ = ResolveLaterAsync(entry, generation, epoch, delay);
    }

    private async Task ResolveLaterAsync(DeviceEntry entry, int generation, int epoch, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, state.Time).ConfigureAwait(false);
            lock (state.Gate)
            {
                if (epoch == state.Epoch && entry.LinkGeneration == generation && entry.Device.Connected)
                {
                    Resolve(entry);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            SimulatorLog.TickFailed(state.Logger, ex);
        }
    }

    private void Resolve(DeviceEntry entry)
    {
        gatt.PrepareResolved(entry);
        entry.Device.SetServicesResolved(true);
        SimulatorLog.DeviceEvent(state.Logger, entry.Peripheral.Address, "services resolved");
        gatt.RearmSessions(entry);
        // A bonded device indicates what it stored as soon as its CCCD is enabled: remembered from an earlier
        // connection or just re-armed. Whoever is not listening then loses them (BlueZ confirms indications itself).
        radio.ReleasePending(entry);
    }

    public void LinkDown(DeviceEntry entry, string why)
    {
        entry.LinkGeneration++;
        // A temporary device's removal timer starts again when its link goes (BlueZ src/device.c).
        entry.LastSeen = state.Time.GetUtcNow();
        if (entry.Device.ServicesResolved)
        {
            entry.Device.SetServicesResolved(false);
        }
        if (entry.Device.Connected)
        {
            entry.Device.SetConnected(false);
        }
        PeripheralLinkLost(entry.Peripheral);
        if (!entry.Device.Paired)
        {
            // An unbonded device's attribute cache is dropped with the link, and its notify sessions with it.
            gatt.RemoveGatt(entry);
        }
        SimulatorLog.DeviceEvent(state.Logger, entry.Peripheral.Address, "link down: " + why);
    }

    public static void PeripheralLinkLost(Peripheral p)
    {
        if (!p.Bonded)
        {
            // Core spec: a server keeps CCCD values across connections only for bonded clients.
            p.EnabledCccds.Clear();
        }
        p.LiveStopped = false;
    }
}
