using System.Diagnostics.CodeAnalysis;

namespace Vitals.Gateway.Cli;

/// <summary>
/// The few argument shapes the verbs use: <c>--name value</c>, <c>--flag</c> and positionals. Anything else is a usage
/// error reported with the offending word, so a typo never silently changes what a command does.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Positionals { get; }
    public bool Help { get; }

    private CliArgs(List<string> positionals, bool help)
    {
        Positionals = positionals;
        Help = help;
    }

    /// <param name="valueOptions">options that take a value</param>
    /// <param name="flags">options without a value</param>
    public static bool TryParse(
        IReadOnlyList<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flags,
        [NotNullWhen(true)] out CliArgs? parsed, out string error)
    {
        var positionals = new List<string>();
        var help = false;
        var options = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var a = args[i];
            if (a is "--help" or "-h") { help = true; continue; }
            if (!a.StartsWith("--", StringComparison.Ordinal) || a.Length == 2)
            {
                positionals.Add(a);
                continue;
            }
            var name = a[2..];
            string? inline = null;
            var eq = name.IndexOf('=');
            if (eq > 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (flags.Contains(name))
            {
                options[name] = null;
            }
            else if (valueOptions.Contains(name))
            {
                if (inline is null)
                {
                    if (i + 1 >= args.Count) { parsed = null; error = $"option --{name} needs a value"; return false; }
                    inline = args[++i];
                }
                options[name] = inline;
            }
            else
            {
                parsed = null;
                error = $"unknown option --{name}";
                return false;
            }
        }
        parsed = new CliArgs(positionals, help);
        foreach (var (k, v) in options) parsed._options[k] = v;
        error = "";
        return true;
    }

    public string? Value(string name) => _options.TryGetValue(name, out var v) ? v : null;
    public bool Flag(string name) => _options.ContainsKey(name);

    public int IntValue(string name, int fallback) =>
        Value(name) is { } s ? (int.TryParse(s, out var n) && n > 0 ? n : throw new UsageException($"--{name} must be a positive whole number, got '{s}'")) : fallback;
}

/// <summary>A command-line mistake: printed as one line on stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
