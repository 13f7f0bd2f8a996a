namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// Tests that start real `actortrain` processes run alone: on a 2-core machine, other tests running beside a
/// cluster would starve its heartbeats and make failure detection a matter of luck.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessCollection
{
    public const string Name = "actortrain processes";
}
