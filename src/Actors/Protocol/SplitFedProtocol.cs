namespace ActorTrain.Actors.Protocol;

/// <summary>What a <see cref="SegmentWeights"/> message carries.</summary>
public enum SegmentWeightsKind : byte
{
    /// <summary>Client → split server, answering <see cref="SplitFedCollect"/>: its segment and the samples it trained on since its last average.</summary>
    Report = 1,

    /// <summary>
    /// Split server → client: the round's sample-weighted average; the client replaces its segment with it before its next
    /// batch. Empty tensors: the round averaged nothing (no client answered in time); keep your segment and go on.
    /// </summary>
    Average = 2,
}

/// <summary>SplitFed: client-segment weights on their way to or from the split server's averaging (docs/defenses.md, "SplitFed").</summary>
/// <param name="Round">The averaging round (1, 2, …).</param>
/// <param name="Samples">With <see cref="SegmentWeightsKind.Report"/>: samples backpropagated since the client's last average (its FedAvg weight).</param>
public sealed record SegmentWeights(string RunId, string WorkerId, long Round, SegmentWeightsKind Kind, long Samples, TensorSet Weights) : ITensorMessage;

/// <summary>
/// Split server → client: finish the batch in flight, then send your segment (<see cref="SegmentWeightsKind.Report"/>)
/// and wait for the round's <see cref="SegmentWeightsKind.Average"/> before the next batch.
/// </summary>
public sealed record SplitFedCollect(string RunId, long Round) : IControlMessage;

/// <summary>
/// Split server → client, in the run's last averaging round: the activations of step <paramref name="Step"/> arrived
/// after the step budget was spent and will not be answered; drop that batch (then answer the collect).
/// </summary>
public sealed record SplitBatchDropped(string RunId, long Step) : IControlMessage;
