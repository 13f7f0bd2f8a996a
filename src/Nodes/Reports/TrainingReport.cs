using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorTrain.Nodes.Reports;

/// <summary>Test accuracy measured after <see cref="Step"/> optimizer steps.</summary>
public sealed record AccuracyPoint(int Step, double Accuracy);

/// <summary>The result object of a training run, as written to result.json and --json.</summary>
public sealed record TrainingReport(
    string RunId,
    string Mode,
    string Model,
    string Dataset,
    int Classes,
    int Parameters,
    int Steps,
    int BatchSize,
    string Optimizer,
    double LearningRate,
    long Seed,
    string Device,
    double TestAccuracy,
    double FinalLoss,
    double SamplesPerSecond,
    double WallSeconds,
    string RunDirectory,
    IReadOnlyList<AccuracyPoint> TestAccuracyCurve,
    int? Workers = null,
    string? Aggregation = null,
    long? RejectedUpdates = null,
    IReadOnlyDictionary<string, long>? RejectedByReason = null,
    TapSummary? Tap = null,
    int? SplitfedRounds = null,
    IInversionSummary? Inversion = null,
    ActorTrain.Actors.Split.DefenseReport? Defense = null,
    UpdateWireSummary? Updates = null)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
