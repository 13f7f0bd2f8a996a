using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Actors.Tap;

/// <summary>How a tap attacks updates.</summary>
/// <param name="Capacity">Updates kept waiting while the attack is busy; beyond it the oldest are dropped and counted.</param>
/// <param name="RunsDirectory">Each <see cref="Protocol.LabelsRevealed"/> goes as a JSON line to RUNS/RUN_ID/revealed.jsonl; null for no log.</param>
/// <param name="ProjectionLayer">The layer whose update is attacked (every ActorTrain model calls it "projection").</param>
public sealed record TapSettings(int Capacity = 64, string? RunsDirectory = null, string ProjectionLayer = "projection")
{
    public const string LogFileName = "revealed.jsonl";

    /// <summary>The log file, when it goes elsewhere than the run's directory (replay).</summary>
    public string? LogFile { get; init; }

    public string? LogPathFor(string runId) => LogFile ?? (RunsDirectory is null ? null : Path.Combine(RunsDirectory, runId, LogFileName));

    public RlgOptions Rlg { get; init; } = RlgOptions.Default;
}
