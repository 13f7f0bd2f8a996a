using System.Text.Json;

namespace ActorTrain.Nodes.Bench;

/// <summary>
/// A suite's result: candidate and baseline measured in the same run, and their ratio (candidate / baseline,
/// higher is better for the candidate), plus the suite's own rows.
/// </summary>
public sealed record BenchReport(
    string Suite,
    string Candidate,
    string Baseline,
    double CandidateGbps,
    double BaselineGbps,
    double Ratio,
    string RatioAt,
    IReadOnlyList<object> Rows)
{
    public string ToJson() => JsonSerializer.Serialize(this, Reports.TrainingReport.Json);
}
