using System.ComponentModel;

namespace Vitals.Gateway.Delivery;

/// <summary>
/// How readings are put into the EHR (<c>Ehr:Profile</c>; configured as <c>fhir-transaction</c>, <c>single-post</c>
/// or <c>fhir-conditional</c>). The CapabilityStatement check (<see cref="Compatibility.EhrCapabilityCheck"/>) says at start-up
/// whether the server advertises what the chosen profile needs.
/// </summary>
[TypeConverter(typeof(EhrProfileConverter))]
public enum EhrProfile
{
    /// <summary>
    /// Devices and Observations of several readings in one transaction Bundle, every entry a conditional create
    /// (<c>ifNoneExist</c> on its identifier), Observation.device pointing at the Device entry's urn:uuid. For servers
    /// that advertise transactions and conditional create. Exactly once by the server's conditional create.
    /// </summary>
    FhirTransaction,

    /// <summary>
    /// One plain POST per Observation (and per new Device), for EHRs that document neither transactions nor conditional
    /// create (Epic, Oracle Health). Exactly once by the gateway's own ledger of acknowledged identifiers.
    /// </summary>
    SinglePost,

    /// <summary>One reading at a time, each resource a single conditional create with If-None-Exist.</summary>
    FhirConditional,
}
