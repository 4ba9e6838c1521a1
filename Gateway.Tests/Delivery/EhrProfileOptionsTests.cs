using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Delivery.Http;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests.Delivery;

/// <summary>Ehr:Profile, Ehr:Batch, Ehr:SinglePost and Ehr:Compatibility: binding, defaults, and one line naming the key for each mistake.</summary>
public sealed class EhrProfileOptionsTests
{
    private static ServiceProvider Provider(params (string Key, string Value)[] values)
    {
        var config = new ConfigurationBuilder()
            .AddInMemoryCollection(new[] { new KeyValuePair<string, string?>("Ehr:BaseUrl", "http://127.0.0.1:8103/fhir/R4") }
                .Concat(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))))
            .Build();
        return new ServiceCollection().AddLogging().AddGatewayStore(config).AddEhrDelivery(config).BuildServiceProvider();
    }

    [Fact]
    public void The_default_profile_is_fhir_transaction_with_small_batches()
    {
        using var provider = Provider();
        var options = provider.GetRequiredService<IOptions<EhrOptions>>().Value;

        Assert.Equal(EhrProfile.FhirTransaction, options.Profile);
        Assert.Equal(50, options.Batch.MaxSize);
        Assert.Equal(TimeSpan.FromMilliseconds(50), options.Batch.Linger);
        Assert.True(options.SinglePost.SearchBeforeResend);
        Assert.IsType<TransactionSender>(provider.GetRequiredService<IEhrSender>());
    }

    [Theory]
    [InlineData("fhir-transaction", typeof(TransactionSender))]
    [InlineData("Single-Post", typeof(SinglePostSender))]
    [InlineData("fhir-conditional", typeof(ConditionalCreateSender))]
    [InlineData("SinglePost", typeof(SinglePostSender))]
    public void Each_profile_name_selects_its_sender_over_the_one_pooled_client(string name, Type sender)
    {
        using var provider = Provider(("Ehr:Profile", name), ("Ehr:Batch:MaxSize", "100"), ("Ehr:Batch:Linger", "00:00:00.1"));

        Assert.IsType(sender, provider.GetRequiredService<IEhrSender>());
        Assert.Same(provider.GetRequiredService<EhrHttpClient>(), provider.GetRequiredService<EhrHttpClient>());
        Assert.Equal(100, provider.GetRequiredService<TransactionSender>().MaxReadingsPerRequest);
    }

    [Fact]
    public void The_repository_appsettings_choose_fhir_transaction()
    {
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(Infrastructure.RepoPaths.Root, "appsettings.json")).Build();
        Assert.Equal("fhir-transaction", config["Ehr:Profile"]);
    }

    public static TheoryData<string, string, string> Invalid() => new()
    {
        { "Ehr:Profile", "bundle", "Ehr:Profile must be one of fhir-transaction, single-post, fhir-conditional" },
        { "Ehr:Batch:MaxSize", "0", "Ehr:Batch:MaxSize must be between 1 and 1000" },
        { "Ehr:Batch:Linger", "-00:00:01", "Ehr:Batch:Linger must be between 0 and" },
        { "Ehr:Compatibility:Performer", "Dr. Who", "Ehr:Compatibility:Performer must be a relative reference" },
        { "Ehr:Compatibility:Omit:0", "value", "Ehr:Compatibility:Omit: 'value' is not an element the gateway can leave out" },
        { "Ehr:Compatibility:Omit:0", "identifier", "Ehr:Compatibility:Omit: 'identifier' needs Ehr:Profile single-post" },
        { "Ehr:Compatibility:CodeMap:8310-5", "no-system", "Ehr:Compatibility:CodeMap:8310-5 must be system|code" },
        { "Ehr:Compatibility:CodeMap:temp", "urn:ehr|1", "Ehr:Compatibility:CodeMap: 'temp' is not a LOINC code" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_wrong_setting_fails_start_up_with_one_line_naming_its_key(string key, string value, string expected)
    {
        using var provider = Provider((key, value));

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EhrOptions>>().Value);

        var failure = Assert.Single(ex.Failures);
        Assert.StartsWith(expected, failure);
        Assert.DoesNotContain('\n', failure);
    }

    [Fact]
    public void Identifier_may_be_left_out_with_single_post_and_the_compatibility_switches_bind()
    {
        using var provider = Provider(
            ("Ehr:Profile", "single-post"), ("Ehr:Compatibility:Omit:0", "identifier"), ("Ehr:Compatibility:Omit:1", "component.map"),
            ("Ehr:Compatibility:SingleCategory", "true"), ("Ehr:Compatibility:Performer", "Practitioner/123"),
            ("Ehr:Compatibility:CodeMap:8310-5", "urn:oid:1.2.840.114350|3040104|Temperature"));

        var options = provider.GetRequiredService<IOptions<EhrOptions>>().Value.Compatibility;

        Assert.Equal(["identifier", "component.map"], options.Omit);
        Assert.True(options.SingleCategory);
        Assert.Equal("Practitioner/123", options.Performer);
        Assert.Equal("urn:oid:1.2.840.114350|3040104|Temperature", options.CodeMap["8310-5"]);
        Assert.False(provider.GetRequiredService<EhrCompatibility>().IsIdentity);
    }
}
