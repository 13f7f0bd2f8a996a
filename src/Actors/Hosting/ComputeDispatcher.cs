namespace ActorTrain.Actors;

/// <summary>The dispatcher workers and the parameter server run on (a thread each).</summary>
public static class ComputeDispatcher
{
    public const string Id = "actortrain.compute-dispatcher";
}
