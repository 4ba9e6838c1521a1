using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Vitals.Gateway.Delivery;
using Vitals.Gateway.Delivery.Compatibility;
using Vitals.Gateway.Delivery.Senders;
using Vitals.Gateway.Fhir;
using Vitals.Gateway.Storage;

namespace Vitals.Gateway.Tests;

internal static partial class Some
{
    // One validator for the whole test run: loading the specification and compiling the profiles takes seconds, and
    // the validator serialises its calls itself.
    private static readonly Lazy<ObservationValidator> SharedValidator =
        new(() => new ObservationValidator(TimeProvider.System, NullLogger<ObservationValidator>.Instance), LazyThreadSafetyMode.ExecutionAndPublication);

    public static ObservationValidator Validator => SharedValidator.Value;

    /// <summary>The delivery loop's pre-send check over <paramref name="store"/>; off unless <paramref name="enabled"/>.</summary>
    public static PreSendValidation PreSendValidation(
        IOutbox store, bool enabled = false, ILogger<PreSendValidation>? logger = null, GatewayMetrics? metrics = null) =>
        new(Validator, Options.Create(new PreSendValidationOptions { ValidateBeforeSend = enabled }), store,
            metrics ?? new GatewayMetrics(), TimeProvider.System, logger ?? NullLogger<PreSendValidation>.Instance);

    /// <summary>
    /// The delivery loop on real time over <paramref name="store"/> and <paramref name="sender"/>, with the real mapper
    /// and retry policy; validation before send off unless <paramref name="preSend"/> says otherwise.
    /// </summary>
    public static DeliveryService DeliveryService(
        IOutbox store, IEhrSender sender, IOptions<EhrOptions> options, ILogger<DeliveryService> logger, PreSendValidation? preSend = null,
        TimeProvider? time = null, DeliveryHealth? health = null) =>
        new(store, ReadingMapper(), sender, new RetryPolicy(options.Value.Retry, Random.Shared.NextDouble),
            new DeliveryTrigger(), new GatewayMetrics(), time ?? TimeProvider.System, options, logger, preSend ?? PreSendValidation(store),
            new EhrCompatibility(options.Value.Compatibility), health);
}
