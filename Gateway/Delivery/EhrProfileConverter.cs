using System.ComponentModel;
using System.Globalization;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// Binds <c>Ehr:Profile</c> from its documented spelling (<c>fhir-transaction</c>) or the enum name
/// (<c>FhirTransaction</c>), case-insensitively. Anything else binds to <see cref="Unknown"/>, an undefined value that
/// <see cref="EhrOptionsValidator"/> reports in one line naming <c>Ehr:Profile</c> (a converter that threw would stop
/// start-up with the binder's stack trace instead).
/// </summary>
public sealed class EhrProfileConverter : EnumConverter
{
    public EhrProfileConverter() : base(typeof(EhrProfile))
    {
    }

    /// <summary>What an unrecognised name binds to; not a defined <see cref="EhrProfile"/>.</summary>
    public const EhrProfile Unknown = (EhrProfile)(-1);

    /// <summary>The documented names, in the order the README lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fhir-transaction", "single-post", "fhir-conditional"];

    public static string ToName(EhrProfile profile) => profile switch
    {
        EhrProfile.FhirTransaction => "fhir-transaction",
        EhrProfile.SinglePost => "single-post",
        EhrProfile.FhirConditional => "fhir-conditional",
        _ => ((int)profile).ToString(CultureInfo.InvariantCulture),
    };

    public static bool TryParse(string? text, out EhrProfile profile)
    {
        var t = (text ?? "").Trim();
        for (var i = 0; i < Names.Count; i++)
        {
            if (string.Equals(t, Names[i], StringComparison.OrdinalIgnoreCase)
                || string.Equals(t, ((EhrProfile)i).ToString(), StringComparison.OrdinalIgnoreCase))
            {
                profile = (EhrProfile)i;
                return true;
            }
        }
        profile = default;
        return false;
    }

    public override object ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text
            ? TryParse(text, out var profile) ? profile : Unknown
            : base.ConvertFrom(context, culture, value)!;

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is EhrProfile profile ? ToName(profile) : base.ConvertTo(context, culture, value, destinationType);
}
