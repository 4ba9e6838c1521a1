using Vitals.Gateway.Delivery.Auth;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Cli;

/// <summary>
/// <c>keys generate|jwks</c>: the key pair for SMART Backend Services. The private key stays on this machine (mode
/// 600); the public JWKS is what the operator registers with the EHR (or serves from the JWKS URL Epic asks for).
/// </summary>
internal static class KeysCommand
{
    private const string Help = """
        Usage: Vitals.Gateway keys <generate | jwks> [options]

          generate --alg RS384|ES384 --out <private-key.pem> [--kid <id>] [--force]
                      write a new private key (PKCS#8 PEM, file mode 600) and print its kid;
                      an existing file is kept unless --force is given
          jwks --key <private-key.pem or .jwk> [--kid <id>]
                      print the public JWKS (kty, n/e or crv/x/y, kid, alg, use sig) to register with the EHR

        The kid defaults to the RFC 7638 thumbprint of the public key; Ehr:Auth:KeyId must match what was registered.
        """;

    public static Task<int> RunAsync(string[] args) => Task.FromResult(Run(args, Console.Out, Console.Error));

    /// <summary>The command with its output streams given (tests read them without touching the process console).</summary>
    internal static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = GatewayCommandLine.Parse(args, ["alg", "out", "kid", "key"], ["force"]);
        var sub = a.Positionals.Count > 0 ? a.Positionals[0] : null;
        if (a.Help || sub is null)
        {
            stdout.WriteLine(Help);
            return sub is null && !a.Help ? ExitCodes.BadInput : ExitCodes.Ok;
        }
        if (a.Positionals.Count > 1)
            throw new UsageException($"unexpected argument '{a.Positionals[1]}'");
        var kid = a.Value("kid");
        if (kid is not null && (kid.Length == 0 || kid.Any(char.IsControl)))
            throw new UsageException("--kid must be a non-empty string without control characters");

        switch (sub)
        {
            case "generate":
            {
                var alg = a.Value("alg") ?? throw new UsageException("generate needs --alg RS384 or ES384");
                if (alg is not (SigningKey.RS384 or SigningKey.ES384))
                    throw new UsageException($"--alg must be RS384 or ES384, got '{alg}'");
                var path = a.Value("out") ?? throw new UsageException("generate needs --out <private-key.pem>");
                if (File.Exists(path) && !a.Flag("force"))
                {
                    stderr.WriteLine($"error: '{path}' exists; pass --force to replace it (the old key stops working once replaced)");
                    return ExitCodes.BadInput;
                }
                using var key = SigningKey.Generate(alg, kid);
                try
                {
                    WritePrivate(path, key.ExportPkcs8Pem(), a.Flag("force"), stderr);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    stderr.WriteLine($"error: cannot write '{path}': {ex.Message}");
                    return ExitCodes.RuntimeFailure;
                }
                stdout.WriteLine($"wrote {alg} private key to {path} (mode 600); kid {key.KeyId}");
                stdout.WriteLine($"next: 'keys jwks --key {path}{(kid is null ? "" : " --kid " + kid)}' prints the public JWKS to register with the EHR");
                return ExitCodes.Ok;
            }
            case "jwks":
            {
                var path = a.Value("key") ?? throw new UsageException("jwks needs --key <private-key.pem>");
                if (!SigningKey.TryLoad(path, null, kid, out var key, out var error))
                {
                    stderr.WriteLine($"error: {error}");
                    return ExitCodes.BadInput;
                }
                using (key)
                    stdout.WriteLine(key.PublicJwks());
                return ExitCodes.Ok;
            }
            default:
                throw new UsageException($"unknown keys command '{sub}' (generate, jwks)");
        }
    }

    /// <summary>
    /// The key file 0600 in its folder, a missing folder created 0700 (<see cref="PrivateFiles"/>), whatever the umask;
    /// an existing folder open to other users is only pointed out (it may be shared on purpose).
    /// </summary>
    private static void WritePrivate(string path, string pem, bool replace, TextWriter stderr)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder) && PrivateFiles.EnsureFolder(folder) is { } folderMode)
            stderr.WriteLine($"note: {folder} is open to other users (mode {PrivateFiles.Octal(folderMode)}); the key file itself is 0600");
        if (replace && File.Exists(path))
            File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        // Created 600 from the start: there is no moment at which another user could open the private key.
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = PrivateFiles.FileMode;
        using var stream = new FileStream(path, options);
        // open(2) applied the umask to that mode; set it exactly (an odd umask such as 0277 would leave it 0400).
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(stream.SafeFileHandle, PrivateFiles.FileMode);
        using var writer = new StreamWriter(stream);
        writer.Write(pem);
        writer.Write('\n');
    }
}
