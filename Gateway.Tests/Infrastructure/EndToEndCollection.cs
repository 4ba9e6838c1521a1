namespace Vitals.Gateway.Tests.Infrastructure;

/// <summary>
/// Tests that start several processes, or time what a client sees, run in this collection: one at a time, never beside
/// another collection, which keeps their timing honest on 2 cores.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end to end";
}
