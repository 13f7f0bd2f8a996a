using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Actors.Tap;

/// <summary>How a tap attacks updates.</summary>
/// <param name="Capacity">Updates kept waiting while the attack is busy; beyond it the oldest are dropped and counted.</param>
/// <param name="RunsDirectory">Each <see cref="Protocol.LabelsRevealed"/> goes as a JSON line to RUNS/RUN_ID/revealed.jsonl; null for no log.</param>
/// <param name="ProjectionLayer">The layer whose update is attacked (every ActorTrain model calls it "projection").</param>
public sealed record TapSettings(int Capacity = 64, string? RunsDirectory = null, string ProjectionLayer = "projection")
{
    public const string LogFileName = "revealed.jsonl";

    /// <summary>The inversion tap's log, one line per activation batch, in the run's directory.</summary>
    public const string InversionLogFileName = "inverted.jsonl";

    /// <summary>The log file, when it goes elsewhere than the run's directory (replay).</summary>
    public string? LogFile { get; init; }

    public string? LogPathFor(string runId) => LogFile ?? (RunsDirectory is null ? null : Path.Combine(RunsDirectory, runId, LogFileName));

    public RlgOptions Rlg { get; init; } = RlgOptions.Default;

    /// <summary>The attack on a data-parallel run's updates: "rlg" (label revelation, <see cref="LabelRevealer"/>) or
    /// "invert" (gradient inversion, <see cref="GradientInverter"/>). A split run's tap always inverts activations.</summary>
    public string Attack { get; init; } = "rlg";

    /// <summary>The inversion attacker of split runs.</summary>
    public InversionTapSettings Inversion { get; init; } = new();

    /// <summary>The online gradient inversion of data-parallel runs (<see cref="Attack"/> "invert").</summary>
    public GradientInversionTapSettings Gradients { get; init; } = new();

    public string? InversionLogPathFor(string runId) => RunsDirectory is null ? null : Path.Combine(RunsDirectory, runId, InversionLogFileName);
}

/// <summary>How the inversion tap attacks a split run's activations (keys under actortrain.tap.inversion).</summary>
/// <param name="AuxiliarySamples">The attacker's auxiliary set: the last N images of the training split (never test images).</param>
/// <param name="Decoder">The decoder and its training, repeated for every client-weight snapshot.</param>
/// <param name="FashionMnistDirectory">Where the tap reads the training split.</param>
/// <param name="InputsKept">Recorded input batches kept waiting for their activations (oldest dropped first).</param>
public sealed record InversionTapSettings(
    int AuxiliarySamples = 2000, InversionOptions? Decoder = null, string FashionMnistDirectory = Tensors.Data.FashionMnist.DefaultDirectory,
    int InputsKept = 256)
{
    public InversionOptions DecoderOptions => Decoder ?? new InversionOptions([1024], Epochs: 5);
}

/// <summary>How the tap inverts a data-parallel run's worker updates (keys under actortrain.tap.inversion; `run
/// --invert-labels`, `--invert-iterations`, `--invert-restarts`). The tap takes one update at a time, the newest
/// accepted when it is free (<see cref="Protocol.UpdateDemand"/>), and counts the rest as dropped; one inversion of a
/// small batch takes a few seconds on one CPU thread.</summary>
/// <param name="Labels">What the attacker knows of the labels: none, rlg (revealed from the update itself), true (recorded).</param>
/// <param name="Iterations">Most optimisation steps per restart.</param>
/// <param name="Restarts">Random restarts, keeping the best gradient match.</param>
public sealed record GradientInversionTapSettings(LabelKnowledge Labels = LabelKnowledge.Rlg, int Iterations = 300, int Restarts = 1)
{
    /// <summary>The attack's options (the rest at <see cref="GradientInversionOptions"/>'s defaults).</summary>
    public GradientInversionOptions Options => GradientInversionOptions.Default with { Iterations = Iterations, Restarts = Restarts };
}
