using System.CommandLine;
using System.Globalization;
using ActorTrain.Nodes.Reports;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain attack rlg`: label revelation from a projection layer's update stored as <c>.npy</c>.</summary>
public static class AttackCommand
{
    /// <summary>What `attack rlg --json` writes (snake_case keys; <c>counts</c> only with <c>--bias</c>).</summary>
    /// <param name="SpectrumGap">σ_S/σ_{S+1}; null when no singular value follows.</param>
    /// <param name="Seconds">The attack alone, without reading the files.</param>
    internal sealed record RlgReport(
        IReadOnlyList<int> Labels, IReadOnlyList<int>? Counts, int RankUsed, string RankRule, int NumericalRank,
        double? SpectrumGap, string Method, double Seconds);

    private static readonly IReadOnlyDictionary<string, RlgMethod> Methods = new Dictionary<string, RlgMethod>
    {
        ["fast"] = RlgMethod.Fast,
        ["exact-lp"] = RlgMethod.ExactLp,
        ["restricted-lp"] = RlgMethod.RestrictedLp,
    };

    public static Command Create() => new("attack", "Attacks on what a worker sends.") { Rlg() };

    private static Command Rlg()
    {
        var update = new Option<string>("--update") { Description = "Projection-layer weight gradient or update (divided by the learning rate), a 2-D float32/float64 .npy.", Required = true };
        var samples = new Option<int?>("--samples") { Description = "S, samples behind the update (N, or K·N after K local steps). Default: the largest gap in the singular values." };
        var bias = new Option<string?>("--bias") { Description = "Bias gradient averaged over the S samples, a 1-D .npy of length C: adds counts per label (give --samples too: without it counts assume S = the rank used)." };
        var orientation = new Option<string>("--orientation") { Description = "cd: the matrix is classes × features (PyTorch nn.Linear); dc: features × classes.", DefaultValueFactory = _ => "cd" };
        var method = new Option<string>("--method") { Description = "fast (exact, certificate-based) | exact-lp (one GLOP LP per class) | restricted-lp (the reference code's k-constraint LP).", DefaultValueFactory = _ => "fast" };
        var restricted = new Option<int>("--restricted-constraints") { Description = "restricted-lp: other classes per LP (largest norms).", DefaultValueFactory = _ => 199 };
        var json = new Option<string?>("--json") { Description = "Also write the result here: labels, counts, rank_used, rank_rule, seconds." };
        var command = new Command("rlg", "Reveal which labels a batch contained (RLG, Dang et al. 2021) from the last layer's update; with --bias, how often each.")
            { update, samples, bias, orientation, method, restricted, json };
        command.SetAction(parse => UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var layout = parse.GetValue(orientation) switch
            {
                "cd" => MatrixOrientation.ClassesByFeatures,
                "dc" => MatrixOrientation.FeaturesByClasses,
                var other => throw new ArgumentException($"--orientation {other}: use cd (classes × features) or dc (features × classes)."),
            };
            var methodName = parse.GetValue(method)!;
            if (!Methods.TryGetValue(methodName, out var chosen))
                throw new ArgumentException($"--method {methodName}: use one of {string.Join(", ", Methods.Keys)}.");
            var matrix = NpyReader.Read(parse.GetValue(update)!);
            if (matrix.Shape.Length != 2)
                throw new ArgumentException($"--update {parse.GetValue(update)}: expected a 2-D array, got shape ({matrix.Shape[0]},).");
            var biasValues = parse.GetValue(bias) is { } biasPath ? ReadVector(biasPath) : [];
            var result = RlgAttack.RevealLabels(matrix.Values, matrix.Rows, matrix.Columns, layout, parse.GetValue(samples), biasValues,
                new RlgOptions { Method = chosen, RestrictedConstraints = parse.GetValue(restricted) });
            var report = new RlgReport(result.Labels, result.Counts, result.RankUsed, RuleName(result.RankRule), result.NumericalRank,
                double.IsFinite(result.SpectrumGap) ? result.SpectrumGap : null, methodName, result.Seconds);
            Print(report, parse.InvocationConfiguration.Output);
            if (parse.GetValue(json) is { } jsonPath)
                ReportFiles.Write(jsonPath, System.Text.Json.JsonSerializer.Serialize(report, TrainingReport.Json));
            return 0;
        }));
        return command;
    }

    /// <summary>A 1-D array, or a 2-D one with a single row or column.</summary>
    private static double[] ReadVector(string path)
    {
        var array = NpyReader.Read(path);
        if (array.Shape.Length == 2 && array.Rows != 1 && array.Columns != 1)
            throw new ArgumentException($"--bias {path}: expected a vector, got shape ({array.Rows}, {array.Columns}).");
        return array.Values;
    }

    internal static string RuleName(RankRule rule) => rule switch
    {
        RankRule.Caller => "caller",
        RankRule.CallerCappedAtNumericalRank => "caller-capped",
        _ => "spectrum-gap",
    };

    private static void Print(RlgReport report, TextWriter output)
    {
        output.WriteLine($"labels ({report.Labels.Count}): {string.Join(' ', report.Labels)}");
        if (report.Counts is { } counts)
            output.WriteLine($"counts (label×n, {counts.Sum()} samples): {string.Join(' ', report.Labels.Select((label, i) => $"{label}×{counts[i]}"))}");
        var gap = report.SpectrumGap is { } g ? g.ToString("G3", CultureInfo.InvariantCulture) : "∞";
        output.WriteLine($"rank used: {report.RankUsed} ({report.RankRule}; numerical rank {report.NumericalRank}, gap σ_S/σ_S+1 {gap})");
        output.WriteLine(FormattableString.Invariant($"seconds: {report.Seconds:F3} ({report.Method})"));
    }
}
