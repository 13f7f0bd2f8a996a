using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// Journal event: step <paramref name="Step"/> was committed from these workers' updates. <paramref name="Aggregate"/>
/// is what was applied (the sample-weighted mean gradient, or mean weight delta in local-sgd), so replaying the
/// events on the last snapshot reproduces the weights and optimizer state exactly.
/// </summary>
public sealed record StepCommitted(long Step, string[] Workers, int Samples, double Loss, UpdateKind Kind, float[] Aggregate) : ITensorMessage;

/// <summary>Snapshot: weights and optimizer state after <paramref name="Version"/> steps.</summary>
public sealed record ServerSnapshot(long Version, long Samples, float[] Weights, int OptimizerSteps, float[][] OptimizerBuffers) : ITensorMessage;
