using Hl7.Fhir.Model;

namespace Vitals.Gateway.Fhir;

/// <summary>
/// The Provenance of one delivery (FHIR R4 Provenance, 6.3): which Observations (target) this gateway (agent, the PHD
/// IG's PhgDevice) filed and when (recorded, the send time). The PHD IG STU 2 defines no Provenance profile of its own;
/// activity is CREATE from v3-DataOperation (R4's ProvenanceActivityType value set) and the agent's type
/// <c>assembler</c> (R4 provenance-participant-type: "a device that operates on the data"), the role of a gateway that
/// turns a device's measurements into resources without being their author. R4 Provenance has no identifier: a resend
/// is recognised by <see cref="IfNoneExist"/>.
/// </summary>
public static class ProvenanceResource
{
    public const string ActivitySystem = "http://terminology.hl7.org/CodeSystem/v3-DataOperation";
    public const string AgentTypeSystem = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

    /// <param name="targets">References to the Observations: "Observation/{id}" or a transaction entry's urn:uuid.</param>
    /// <param name="agent">The gateway Device (by server id where known, always by identifier).</param>
    /// <param name="recorded">When the gateway sent them (an instant).</param>
    public static Provenance Create(IEnumerable<string> targets, ResourceReference agent, DateTimeOffset recorded)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(agent);
        var provenance = new Provenance
        {
            // instant: seconds and a zone (R4 2.24.0.1); sub-milliseconds add nothing.
            Recorded = new DateTimeOffset(recorded.UtcTicks - recorded.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
            Activity = new CodeableConcept(ActivitySystem, "CREATE", "create", null),
        };
        provenance.Target.AddRange(targets.Select(t => new ResourceReference(t)));
        if (provenance.Target.Count == 0)
            throw new ArgumentException("a Provenance needs at least one target (R4 Provenance.target 1..*)", nameof(targets));
        provenance.Agent.Add(new Provenance.AgentComponent
        {
            Type = new CodeableConcept(AgentTypeSystem, "assembler", "Assembler", null),
            Who = agent,
        });
        return provenance;
    }

    /// <summary>
    /// The conditional create's search (FHIR R4 RESTful API 3.1.0.8.1, with a chained parameter, R4 Search 3.1.1.4.5):
    /// a Provenance already naming the Observation that carries <paramref name="firstObservationKey"/>, its
    /// de-duplication identifier. Stable across resends in any grouping, as that identifier is.
    /// </summary>
    public static string IfNoneExist(Identifier firstObservationKey) =>
        "target:Observation." + ObservationIdentifier.ToSearchQuery(firstObservationKey);
}
