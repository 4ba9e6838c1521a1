using System.Text.RegularExpressions;
using Vitals.Gateway.Tests.Infrastructure;

namespace Vitals.Gateway.Tests;

/// <summary>
/// Dependencies point down the data flow (docs/architecture.md "Folder map"): no namespace of the gateway depends,
/// directly or through others, on one that depends on it. Read from the sources: a file depends on the namespaces it
/// names in a <c>using</c> or a qualified name (in a comment too: a cref across layers is a dependency a reader sees). The root namespace (<c>Vitals.Gateway</c>: the composition root and
/// the metrics every stage shares) is left out, as is a child's implicit view of its parents.
/// </summary>
public sealed partial class NamespaceDependencyTests
{
    private const string Root = "Vitals.Gateway";

    [Fact]
    public void The_gateway_namespaces_form_no_cycle()
    {
        var graph = Graph();
        Assert.True(graph.Count > 10, $"only {graph.Count} namespaces found under Gateway/");

        var cycles = StronglyConnected(graph).Where(c => c.Count > 1).Select(c => string.Join(" <-> ", c.Order(StringComparer.Ordinal))).ToList();

        Assert.True(cycles.Count == 0, "namespaces that depend on each other: " + string.Join("; ", cycles));
    }

    [Fact]
    public void Storage_knows_nothing_of_ingest_fhir_or_delivery()
    {
        var graph = Graph();

        var uses = graph.Where(n => Under(n.Key, "Storage")).SelectMany(n => n.Value).Where(d => !Under(d, "Storage")).ToHashSet();

        Assert.Equal([$"{Root}.Patients"], uses.Order(StringComparer.Ordinal));
    }

    private static bool Under(string ns, string area) => ns == $"{Root}.{area}" || ns.StartsWith($"{Root}.{area}.", StringComparison.Ordinal);

    /// <summary>Namespace -> the other gateway namespaces its files name.</summary>
    private static Dictionary<string, HashSet<string>> Graph()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, "Gateway"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        foreach (var file in sources)
        {
            var text = File.ReadAllText(file);
            var ns = NamespaceDeclaration().Match(text) is { Success: true } m ? m.Groups[1].Value : Root;
            if (ns == Root) continue;
            var deps = graph.TryGetValue(ns, out var set) ? set : graph[ns] = new HashSet<string>(StringComparer.Ordinal);
            foreach (Match use in GatewayName().Matches(text))
            {
                var target = use.Groups[1].Value;
                if (target != Root && target != ns) deps.Add(target);
            }
        }
        // A qualified name may run on into a type ("Vitals.Gateway.Storage.Sqlite.Sql"): keep the longest namespace it names.
        foreach (var deps in graph.Values)
        {
            var named = deps.ToList();
            deps.Clear();
            foreach (var d in named)
            {
                var known = d;
                while (!graph.ContainsKey(known) && known.Contains('.', StringComparison.Ordinal) && known != Root) known = known[..known.LastIndexOf('.')];
                if (known != Root) deps.Add(known);
            }
        }
        foreach (var (ns, deps) in graph) deps.Remove(ns);
        return graph;
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<List<string>>();
        foreach (var node in graph.Keys) if (!index.ContainsKey(node)) Visit(node);
        return result;

        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v) ?? [])
            {
                if (!graph.ContainsKey(w)) continue;
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            result.Add(component);
        }
    }

    [GeneratedRegex(@"^namespace\s+(Vitals\.Gateway(?:\.\w+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\b(Vitals\.Gateway(?:\.[A-Z]\w*)*)")]
    private static partial Regex GatewayName();
}
