using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Web.Access;

/// <summary>
/// Refuses to start a web host that listens beyond loopback while no admin password is set: those pages would
/// otherwise be open to the network. Runs after the store is initialised (hosted services start in order).
/// </summary>
internal sealed class AdminPasswordGuard(IOptions<WebAccessOptions> options, IAdminPassword password) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var urls = options.Value.EffectiveUrls;
        if (!ListenerAddresses.NeedLogin(urls) || await password.GetHashAsync(cancellationToken).ConfigureAwait(false) is not null)
            return;
        // An options failure: the host's start-up prints it as one line naming the key, exit code 2.
        throw new OptionsValidationException($"{WebAccessOptions.SectionName}:{nameof(WebAccessOptions.Urls)}", typeof(WebAccessOptions),
        [
            $"{WebAccessOptions.SectionName}:{nameof(WebAccessOptions.Urls)} '{urls}' listens beyond loopback, so every page needs a login, " +
            "but no admin password is set: run 'Vitals.Gateway admin set-password' first",
        ]);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
