using System.Globalization;
using Tmds.DBus.Protocol;
using Vitals.Simulators.BleSimulator.DBus;

namespace Vitals.Simulators.BleSimulator.Bluez;

/// <summary>
/// AgentManager1 and Device1 pairing: agents registered per D-Bus connection, the default agent, and passkey entry
/// through the agent's RequestPasskey (BlueZ doc/org.bluez.AgentManager.rst, doc/org.bluez.Agent.rst). The devices
/// display a passkey, so only a KeyboardOnly or KeyboardDisplay agent can pair. Called with the daemon's lock held.
/// </summary>
internal sealed class PairingAgent(DaemonState state, Link link)
{
    private const string AgentInterface = "org.bluez.Agent1";

    private static readonly TimeSpan AgentTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Agent> _agents = new(StringComparer.Ordinal);
    private string? _defaultAgent;


    public void RegisterAgent(MethodCall call, string path, string capability)
    {
        if (capability is not ("" or "DisplayOnly" or "DisplayYesNo" or "KeyboardOnly" or "NoInputNoOutput" or "KeyboardDisplay"))
        {
            call.ReplyError(BluezErrors.InvalidArguments, "Invalid arguments in method call");
            return;
        }
        if (_agents.ContainsKey(call.Sender))
        {
            call.ReplyError(BluezErrors.AlreadyExists, "Already Exists");
            return;
        }
        _agents[call.Sender] = new Agent(call.Sender, path, capability.Length == 0 ? "KeyboardDisplay" : capability);
        call.ReplyEmpty();
    }

    public void UnregisterAgent(MethodCall call, string path)
    {
        if (!_agents.TryGetValue(call.Sender, out var agent) || agent.Path != path)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        _agents.Remove(call.Sender);
        if (_defaultAgent == call.Sender)
        {
            _defaultAgent = null;
        }
        call.ReplyEmpty();
    }

    public void RequestDefaultAgent(MethodCall call, string path)
    {
        if (!_agents.TryGetValue(call.Sender, out var agent) || agent.Path != path)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        _defaultAgent = call.Sender;
        call.ReplyEmpty();
    }

    public void RememberTrust(DeviceEntry entry, bool trusted)
    {
        if (trusted)
        {
            state.Trusted.Add(entry.Peripheral.Address);
        }
        else
        {
            state.Trusted.Remove(entry.Peripheral.Address);
        }
    }

    public void Pair(DeviceEntry entry, MethodCall call)
    {
        if (state.RefusedUnpowered(call))
        {
            return;
        }
        if (entry.Device.Paired)
        {
            call.ReplyError(BluezErrors.AlreadyExists, "Already Exists");
            return;
        }
        if (entry.Pairing is not null)
        {
            call.ReplyError(BluezErrors.InProgress, "In Progress");
            return;
        }
        var cancel = new CancellationTokenSource();
        entry.Pairing = cancel;
        var agent = _defaultAgent is { } d && _agents.TryGetValue(d, out var a) ? a : null;
        var connection = state.Connection!;
        var epoch = state.Epoch;
        call.ContinueAsync(async c =>
        {
            try
            {
                await PairAsync(entry, c, agent, connection, epoch, cancel.Token).ConfigureAwait(false);
            }
            finally
            {
                lock (state.Gate)
                {
                    if (entry.Pairing == cancel)
                    {
                        entry.Pairing = null;
                    }
                }
                cancel.Dispose();
            }
        });
    }

    private async Task PairAsync(DeviceEntry entry, MethodCall call, Agent? agent, DBusConnection connection, int epoch, CancellationToken cancel)
    {
        bool connected;
        lock (state.Gate)
        {
            connected = entry.Device.Connected;
        }
        if (!connected)
        {
            // Pair() on a disconnected device connects first, as BlueZ does.
            await Task.Delay(Link.LinkSetup, state.Time).ConfigureAwait(false);
            lock (state.Gate)
            {
                if (epoch != state.Epoch || cancel.IsCancellationRequested)
                {
                    call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
                    return;
                }
                if (!entry.Peripheral.IsInRange(state.Time.GetUtcNow()))
                {
                    call.ReplyError(BluezErrors.ConnectionAttemptFailed, "Page Timeout");
                    return;
                }
                if (!entry.Device.Connected)
                {
                    entry.Connecting = false;
                    link.LinkUp(entry);
                }
            }
        }
        if (agent is null)
        {
            call.ReplyError(BluezErrors.AuthenticationRejected, "Authentication Rejected");
            return;
        }
        if (agent.Capability is not ("KeyboardOnly" or "KeyboardDisplay"))
        {
            // The device displays a passkey: the central must type it in (bluez.md: DisplayOnly cannot).
            call.ReplyError(BluezErrors.AuthenticationFailed, "Authentication Failed");
            return;
        }
        uint passkey;
        try
        {
            passkey = await RequestPasskeyAsync(connection, agent, entry.Path).WaitAsync(AgentTimeout, state.Time, cancel).ConfigureAwait(false);
        }
        catch (DBusErrorReplyException ex)
        {
            call.ReplyError(ex.ErrorName == BluezErrors.AgentCanceled ? BluezErrors.AuthenticationCanceled : BluezErrors.AuthenticationRejected,
                ex.ErrorName == BluezErrors.AgentCanceled ? "Authentication Canceled" : "Authentication Rejected");
            return;
        }
        catch (OperationCanceledException)
        {
            CancelAgent(connection, agent);
            call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
            return;
        }
        catch (TimeoutException)
        {
            CancelAgent(connection, agent);
            call.ReplyError(BluezErrors.AuthenticationTimeout, "Authentication Timeout");
            return;
        }
        catch (DBusConnectionException)
        {
            call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
            return;
        }
        lock (state.Gate)
        {
            if (epoch != state.Epoch || !entry.Device.Connected)
            {
                call.ReplyError(BluezErrors.AuthenticationCanceled, "Authentication Canceled");
                return;
            }
            if (passkey.ToString("D6", CultureInfo.InvariantCulture) != entry.Peripheral.Passkey)
            {
                SimulatorLog.DeviceEvent(state.Logger, entry.Peripheral.Address, "pairing failed: wrong passkey");
                call.ReplyError(BluezErrors.AuthenticationFailed, "Authentication Failed");
                return;
            }
            state.Bonds.Add(entry.Peripheral.Address);
            entry.Peripheral.Bonded = true;
            entry.Device.SetPaired(true);
            SimulatorLog.DeviceEvent(state.Logger, entry.Peripheral.Address, "paired and bonded");
            call.ReplyEmpty();
        }
    }

    private static Task<uint> RequestPasskeyAsync(DBusConnection connection, Agent agent, string devicePath)
    {
        MessageBuffer message;
        using (var writer = connection.GetMessageWriter())
        {
            writer.WriteMethodCallHeader(destination: agent.Sender, path: agent.Path, @interface: AgentInterface, member: "RequestPasskey", signature: "o");
            writer.WriteObjectPath(devicePath);
            message = writer.CreateMessage();
        }
        return connection.CallMethodAsync(message, static (Message m, object? _) => m.GetBodyReader().ReadUInt32());
    }

    private void CancelAgent(DBusConnection connection, Agent agent)
    {
        try
        {
            MessageBuffer message;
            using (var writer = connection.GetMessageWriter())
            {
                writer.WriteMethodCallHeader(destination: agent.Sender, path: agent.Path, @interface: AgentInterface, member: "Cancel", flags: MessageFlags.NoReplyExpected);
                message = writer.CreateMessage();
            }
            connection.TrySendMessage(message);
        }
        catch (ObjectDisposedException ex)
        {
            SimulatorLog.ReplyFailed(state.Logger, "Agent1.Cancel", ex);
        }
    }

    public void CancelPairing(DeviceEntry entry, MethodCall call)
    {
        if (entry.Pairing is not { } pairing)
        {
            call.ReplyError(BluezErrors.DoesNotExist, "Does Not Exist");
            return;
        }
        pairing.Cancel();
        call.ReplyEmpty();
    }

    /// <summary>A client left the bus: BlueZ drops its agent.</summary>
    public void Forget(string sender)
    {
        _agents.Remove(sender);
        if (_defaultAgent == sender)
        {
            _defaultAgent = null;
        }
    }

    /// <summary>bluetoothd restarted: no agent is registered with the new one.</summary>
    public void Reset()
    {
        _agents.Clear();
        _defaultAgent = null;
    }

    private sealed record Agent(string Sender, string Path, string Capability);
}
