using System.Text.Json;
using System.Text.Json.Nodes;
using Hl7.Fhir.Model;
using Vitals.Devices;
using Vitals.Gateway.Fhir;

namespace Vitals.Gateway.Tests.Fhir;

/// <summary>
/// Each TestData/Fhir/NAME.reading.json is mapped with the default options and compared with NAME.expected.json (the
/// collection Bundle that <c>decode</c> prints). Run with UPDATE_GOLDEN=1 to rewrite the expected files in the source
/// tree, then review the diff before committing.
/// </summary>
public sealed class GoldenFileTests
{
    private const string InputSuffix = ".reading.json";
    private const string ExpectedSuffix = ".expected.json";

    public static TheoryData<string> Cases() => new(CaseNames());

    private static IEnumerable<string> CaseNames() =>
        Directory.EnumerateFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "Fhir"), "*" + InputSuffix)
            .Select(file => Path.GetFileName(file)[..^InputSuffix.Length])
            .Order(StringComparer.Ordinal);

    [Fact]
    public void Every_kind_has_a_golden_case()
    {
        var names = CaseNames().ToList();
        foreach (var kind in VitalKindNames.All)
        {
            Assert.Contains(names, n => n.StartsWith(kind.ToTopicName(), StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Mapping_matches_the_golden_file(string name)
    {
        var input = GoldenCase.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "Fhir", name + InputSuffix));
        var bundle = CollectionBundle.Build(Some.ReadingMapper().Map(input.Reading, input.PatientId, input.Device));
        var actual = Normalise(FhirJson.Serialize(bundle, pretty: true));

        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(SourceTestDataDirectory(), name + ExpectedSuffix), actual);
            return;
        }
        var expectedPath = Path.Combine(AppContext.BaseDirectory, "TestData", "Fhir", name + ExpectedSuffix);
        Assert.True(File.Exists(expectedPath), $"{name + ExpectedSuffix} is missing: run the tests with UPDATE_GOLDEN=1 and review it");
        Assert.Equal(Normalise(File.ReadAllText(expectedPath)), actual);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_resource_of_a_golden_case_is_valid_R4(string name)
    {
        var input = GoldenCase.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "Fhir", name + InputSuffix));
        var mapped = Some.ReadingMapper().Map(input.Reading, input.PatientId, input.Device);

        Assert.Empty(FhirValidation.Errors(mapped.Device));
        foreach (var observation in mapped.Observations)
        {
            Assert.Single(observation.Meta!.Profile);
            Assert.Empty(FhirValidation.Errors(observation));
        }
        if (mapped.CoincidentTimeStamp is { } coincident)
            Assert.Empty(FhirValidation.Errors(coincident));
        var bundleErrors = FhirValidation.Errors(CollectionBundle.Build(mapped));
        Assert.True(bundleErrors.Count == 0, string.Join("\n", bundleErrors));
    }

    /// <summary>
    /// Structural comparison that still sees number spelling (37.60 vs 37.6): re-indent both sides the same way.
    /// JsonNode keeps a number's original text, so precision changes show up as differences.
    /// </summary>
    private static string Normalise(string json) =>
        JsonNode.Parse(json)!.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";

    private static string SourceTestDataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Gateway.Tests.csproj")))
            {
                return Path.Combine(dir.FullName, "TestData", "Fhir");
            }
        }
        throw new DirectoryNotFoundException("Gateway.Tests.csproj not found above " + AppContext.BaseDirectory);
    }
}
