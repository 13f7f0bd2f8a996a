namespace ActorTrain.Actors.Protocol;

/// <summary>
/// A split-learning run: the cut, and the client-side defenses. Part of <see cref="RunSpec"/>; null there means
/// ordinary (data-parallel) training.
/// </summary>
/// <param name="Cut">The cut point: clients run the layers up to and including it, the split server the rest.</param>
/// <param name="Alpha">NoPeek weight α of dCor(X, Z) in each client's loss; 0: no NoPeek.</param>
/// <param name="Noise">none | laplace | gaussian: noise added to Z before it leaves the client.</param>
/// <param name="NoiseScale">The noise's scale (Laplace b, or Gaussian σ), in activation units.</param>
/// <param name="AverageEvery">SplitFed: every this many server steps the client segments are averaged (FedAvg); 0: never.</param>
/// <param name="AverageTimeout">SplitFed: how long a round waits for the clients' segments; the silent ones are left out.</param>
public sealed record SplitSpec(string Cut, double Alpha = 0, string Noise = "none", double NoiseScale = 0, int AverageEvery = 0, TimeSpan AverageTimeout = default)
{
    public static readonly IReadOnlyList<string> NoiseKinds = ["none", "laplace", "gaussian"];

    /// <summary>Whether a client needs its defense actor.</summary>
    public bool Defended => Alpha > 0 || (Noise != "none" && NoiseScale > 0);
}

/// <summary>What a <see cref="SplitTensors"/> message carries.</summary>
public enum SplitPayload : byte
{
    /// <summary>Client → server: the activations Z at the cut (n × d_z) and the batch's labels.</summary>
    Activations = 1,

    /// <summary>Server → client: ∂L/∂Z for the activations of the same step, and the batch's loss.</summary>
    ActivationGradient = 2,

    /// <summary>Client → server, when asked (<see cref="SplitEvaluate"/>): the client segment's weights, to measure test accuracy.</summary>
    ClientWeights = 3,

    /// <summary>
    /// Client → the inversion tap only, under <see cref="RunSpec.RecordInputs"/> (experiments): the batch's raw inputs X,
    /// to score reconstructions against. Never sent to the split server.
    /// </summary>
    Inputs = 4,
}

/// <summary>The tensors of split learning; the raw inputs X are never among what reaches the split server (<see cref="SplitPayload.Inputs"/> goes to the tap alone).</summary>
/// <param name="Step">The client's batch counter.</param>
/// <param name="Labels">With <see cref="SplitPayload.Activations"/>: the batch's labels (the server computes the loss).</param>
/// <param name="Loss">With <see cref="SplitPayload.ActivationGradient"/>: the batch's mean loss.</param>
public sealed record SplitTensors(string RunId, string WorkerId, long Step, SplitPayload Kind, TensorSet Tensors, long[]? Labels = null, double Loss = 0)
    : ITensorMessage;

/// <summary>Split server → client: your shard is over these members, with this batch size; start (or go on) training.</summary>
/// <param name="Round">SplitFed: the latest averaging round; a client holds that round's average before its next batch.</param>
public sealed record SplitStart(string RunId, string[] Members, int BatchSize, long Round = 0) : IControlMessage;

/// <summary>Split server → client: send me your client segment's weights (<see cref="SplitPayload.ClientWeights"/>).</summary>
public sealed record SplitEvaluate(string RunId) : IControlMessage;

/// <summary>A client's defense actor → the run's topic: the distance correlation between X and Z of one batch.</summary>
/// <param name="DistanceCorrelation">dCor(X, Z) (V-statistic, Euclidean distances) before noise.</param>
public sealed record DefenseMeasured(string RunId, string WorkerId, long Step, double DistanceCorrelation, double Alpha) : IControlMessage;
