using System.Text.Json;

namespace ActorTrain.Nodes.Bench;

/// <summary>
/// A suite's result: candidate and baseline measured in the same run, and their ratio (candidate / baseline,
/// higher is better for the candidate), plus the suite's own rows. Throughputs are in GB/s
/// (<see cref="CandidateGbps"/>) or samples/s (<see cref="CandidateSamplesPerSecond"/>), whichever the suite measures;
/// suites that time one task report seconds (<see cref="CandidateSeconds"/>) and ratio = baseline / candidate seconds.
/// </summary>
public sealed record BenchReport(
    string Suite,
    string Candidate,
    string Baseline,
    double Ratio,
    string RatioAt,
    IReadOnlyList<object> Rows,
    double? CandidateGbps = null,
    double? BaselineGbps = null,
    double? CandidateSamplesPerSecond = null,
    double? BaselineSamplesPerSecond = null,
    double? CandidateSeconds = null,
    double? BaselineSeconds = null)
{
    public string ToJson() => JsonSerializer.Serialize(this, Reports.TrainingReport.Json);

    public string Summary()
    {
        if (CandidateSeconds is null && CandidateGbps is null && CandidateSamplesPerSecond is null)
            return FormattableString.Invariant($"{Suite}: {Candidate} vs {Baseline}, ratio {Ratio:F1} ({RatioAt})");
        if (CandidateSeconds is { } seconds)
            return FormattableString.Invariant($"{Suite}: {Candidate} {seconds:F3} s vs {Baseline} {BaselineSeconds!.Value:F3} s, ratio {Ratio:F1} ({RatioAt})");
        var (c, b, unit) = CandidateGbps is { } g
            ? (g, BaselineGbps!.Value, "GB/s")
            : (CandidateSamplesPerSecond!.Value, BaselineSamplesPerSecond!.Value, "samples/s");
        return FormattableString.Invariant($"{Suite}: {Candidate} {c:F2} {unit} vs {Baseline} {b:F2} {unit}, ratio {Ratio:F3} ({RatioAt})");
    }
}
