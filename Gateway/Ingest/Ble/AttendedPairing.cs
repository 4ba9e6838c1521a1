using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vitals.Gateway.Ingest.Ble;

/// <summary>
/// Pairing a person watches (the pairing page): the device shows a passkey, the gateway's agent (KeyboardDisplay)
/// asks for it, and the person types it. <see cref="PairAsync"/> starts Pair and returns as soon as the device asks for a
/// passkey nobody gave yet (<see cref="AttendedPairingOutcome.PasskeyNeeded"/>), the pairing still pending; the next
/// call with the passkey answers that request. A pairing that timed out meanwhile is started again with the passkey.
/// Wrong passkeys are counted per device in memory; after <see cref="MaxFailures"/> the device and its bond are removed
/// (Adapter1.RemoveDevice) so that nothing half-paired stays behind. Passkeys are never logged.
/// </summary>
public sealed class AttendedPairing(NearbyDevices nearby, IOptions<BleOptions> options, TimeProvider time, ILogger<AttendedPairing> logger)
{
    public const int MaxFailures = 3;

    private readonly Dictionary<string, Attempt> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    /// <summary>Whether the stack knows the device now (discovered or bonded), so that it can be paired here.</summary>
    public bool IsNearby(string address) => nearby.Device(address) is not null;

    /// <summary>
    /// Pairs <paramref name="address"/>, answering the device's passkey request with <paramref name="passkey"/>, or
    /// returning <see cref="AttendedPairingOutcome.PasskeyNeeded"/> when it asks and none was given.
    /// </summary>
    public async Task<AttendedPairingResult> PairAsync(string address, uint? passkey, CancellationToken ct)
    {
        if (nearby.Device(address) is not { } device) return Result(address, AttendedPairingOutcome.NotNearby);
        if (device.IsPaired) return Result(address, AttendedPairingOutcome.Paired);
        Attempt attempt;
        // One Pair per device at a time: two pages (a double tap) join the same attempt instead of racing BlueZ's InProgress.
        lock (_attempts)
        {
            if (_attempts.TryGetValue(address, out var pending) && !pending.Pairing.IsCompleted)
            {
                attempt = pending;
                if (passkey is { } answer) attempt.Answer(answer);
            }
            else
            {
                var fresh = new Attempt(passkey, options.Value.ConnectTimeout, time);
                // Not tied to the request: the pairing outlives a page that asks the person for the passkey.
                fresh.Pairing = Task.Run(() => device.PairAsync(fresh.PasskeyAsync, CancellationToken.None), CancellationToken.None);
                _attempts[address] = attempt = fresh;
            }
        }
        if (!attempt.HasPasskey)
        {
            await Task.WhenAny(attempt.Asked, attempt.Pairing).WaitAsync(ct).ConfigureAwait(false);
            if (!attempt.Pairing.IsCompleted) return Result(address, AttendedPairingOutcome.PasskeyNeeded);
        }
        return await FinishAsync(address, device, attempt).ConfigureAwait(false);
    }

    private async Task<AttendedPairingResult> FinishAsync(string address, BluetoothDevice device, Attempt attempt)
    {
        try
        {
            await attempt.Pairing.ConfigureAwait(false);
            _failures.TryRemove(address, out _);
            BleLog.AttendedPaired(logger, address);
            return Result(address, AttendedPairingOutcome.Paired);
        }
        catch (BluetoothPairingException e) when (e.Error == BluetoothPairingError.WrongPasskey)
        {
            var failures = _failures.AddOrUpdate(address, 1, (_, n) => n + 1);
            BleLog.AttendedPairingWrongPasskey(logger, address, failures, MaxFailures);
            if (failures < MaxFailures) return Result(address, AttendedPairingOutcome.WrongPasskey);
            _failures.TryRemove(address, out _);
            await ForgetAsync(address, device).ConfigureAwait(false);
            BleLog.AttendedPairingBondRemoved(logger, address, failures);
            return new AttendedPairingResult(AttendedPairingOutcome.BondRemoved, 0);
        }
        catch (Exception e) when (e is BluetoothPairingException or TimeoutException or OperationCanceledException or InvalidOperationException)
        {
            // A device object that went away while pairing is out of range, whatever error the stack gave.
            var outcome = e is BluetoothPairingException { Error: BluetoothPairingError.Unreachable } || nearby.Device(address) is null
                ? AttendedPairingOutcome.Unreachable
                : AttendedPairingOutcome.Failed;
            BleLog.AttendedPairingFailed(logger, address, outcome.ToString(), e.Message);
            return Result(address, outcome);
        }
    }

    private async Task ForgetAsync(string address, BluetoothDevice device)
    {
        try
        {
            await device.ForgetAsync(CancellationToken.None).ConfigureAwait(false);
            nearby.Forget(address);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Left as it is: the device is not paired (Pair failed), only its object stays with the stack.
            BleLog.AttendedPairingFailed(logger, address, "RemoveDevice", e.Message);
        }
    }

    private AttendedPairingResult Result(string address, AttendedPairingOutcome outcome) =>
        new(outcome, MaxFailures - _failures.GetValueOrDefault(address));

    /// <summary>One Pair call and its passkey: known from the start, or asked for by the device and answered later.</summary>
    private sealed class Attempt(uint? passkey, TimeSpan wait, TimeProvider time)
    {
        private readonly TaskCompletionSource _asked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<uint> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Pairing { get; set; } = Task.CompletedTask;

        public Task Asked => _asked.Task;

        public bool HasPasskey => passkey is not null || _answer.Task.IsCompleted;

        public void Answer(uint value) => _answer.TrySetResult(value);

        /// <summary>The agent's RequestPasskey: waits for the person at most as long as Pair itself may take.</summary>
        public async Task<uint?> PasskeyAsync(CancellationToken ct)
        {
            if (passkey is { } known) return known;
            _asked.TrySetResult();
            try
            {
                return await _answer.Task.WaitAsync(wait, time, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                return null;
            }
        }
    }
}
