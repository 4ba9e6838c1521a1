using Microsoft.Extensions.Configuration;
using Vitals.Gateway.Cli;
using Vitals.Gateway.Ingest.Mqtt;
using Vitals.Gateway.Tests.Storage;

namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// The password and ACL files for Debian's mosquitto, written from the registry by the command behind
/// <c>devices export-mosquitto</c>, with the gateway's own account: what an operator puts in front of a fleet.
/// </summary>
public static class MosquittoExport
{
    /// <summary>Writes <c>passwd</c> and <c>acl</c> into <paramref name="dir"/> (owned by mosquitto when running as root: it reads them after dropping root).</summary>
    public static async Task WriteAsync(StoreSet store, string dir, string gatewayUser, string gatewayPassword)
    {
        List<string> args =
        [
            "--passwords", Path.Combine(dir, "passwd"), "--acl", Path.Combine(dir, "acl"),
            "--gateway-user", gatewayUser,
            "--gateway-password-hash", MosquittoPasswordHash.Create(gatewayPassword, MosquittoAuthFiles.DefaultIterations).ToString(),
        ];
        if (Environment.UserName == "root") args.AddRange(["--owner", "mosquitto"]);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await ExportMosquittoCommand.RunAsync([.. args], store.Credentials, new ConfigurationBuilder().Build(), stdout, stderr);
        Assert.True(exit == 0, stderr.ToString());
    }

    /// <summary>mosquitto.conf lines that use the exported files with anonymous access off.</summary>
    public static IReadOnlyList<string> Config(string dir) =>
        ["allow_anonymous false", $"password_file {Path.Combine(dir, "passwd")}", $"acl_file {Path.Combine(dir, "acl")}"];
}
