using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Vitals.Gateway.Storage;

/// <summary>
/// Wipes expired pairing passkeys once a minute (and at start-up), so that a passkey no device ever asked for (BLE
/// off, the device never came back) does not stay in the store file: <see cref="IPendingPairings.GetAsync"/> alone
/// only wipes what it is asked for.
/// </summary>
internal sealed partial class ExpiredPasskeySweeper(IPendingPairings pairings, TimeProvider time, ILogger<ExpiredPasskeySweeper> logger)
    : BackgroundService
{
    internal static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await pairings.WipeExpiredAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A busy or briefly unavailable store: the next tick tries again.
                SweepFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Wiping expired pairing passkeys failed: {Reason}")]
    private static partial void SweepFailed(ILogger logger, string reason);
}
