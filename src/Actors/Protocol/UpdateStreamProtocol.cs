namespace ActorTrain.Actors.Protocol;

/// <summary>
/// Published on the update stream after the parameter server applied a step. Accepted worker updates are
/// published as the <see cref="WorkerUpdate"/> messages themselves.
/// </summary>
/// <param name="Step">The version the step produced.</param>
/// <param name="Workers">Ids of the workers whose updates went into it.</param>
public sealed record StepApplied(string RunId, long Step, string[] Workers, int Samples, double MeanLoss) : IControlMessage;

/// <summary>Topic names on DistributedPubSub.</summary>
public static class UpdateTopics
{
    /// <summary>The topic a run's updates and steps are published on.</summary>
    public static string For(string runId) => $"actortrain.updates.{runId}";
}
