using System.Globalization;
using ActorTrain.Tensors.Attacks;
using TorchSharp;

namespace ActorTrain.Nodes.Bench;

/// <summary>One grid cell of the rlg suite: C classes, d features, K local steps of N samples (S = K·N).</summary>
public sealed record RlgCell(int Classes, int Batch, int Features, int Steps = 1)
{
    public int Samples => Batch * Steps;

    /// <summary>Where RLG is expected to work, and the two documented failure regimes.</summary>
    public string Regime => Samples >= Features ? "S ≥ d" : Samples >= Classes ? "S ≥ C" : "S < d, C";

    public override string ToString() => $"C={Classes}, N={Batch}{(Steps > 1 ? $"×{Steps} steps" : "")}, d={Features}";
}

/// <summary>One measured cell: quality of the fast exact test over its batches, and both tests' median seconds per batch.</summary>
/// <param name="Precision">Revealed labels that were in the batch, over all revealed (micro-averaged); null if nothing was revealed.</param>
/// <param name="Recall">Batch labels revealed, over all batch labels (micro-averaged).</param>
/// <param name="ExactMatch">Fraction of batches whose revealed set equals the true set.</param>
/// <param name="FastSeconds">Median wall-clock seconds of the whole attack (SVD included) with the fast test.</param>
/// <param name="NaiveSeconds">The same with one GLOP LP per class; null where skipped (C = 1000 outside the headline cell: ≈ 40 s per batch).</param>
/// <param name="NaiveAgrees">Both tests revealed the same set on every batch both ran.</param>
public sealed record RlgMeasurement(
    int Classes, int Batch, int Steps, int Features, string Regime, int Batches,
    double? Precision, double Recall, double ExactMatch, double FastSeconds,
    int NaiveBatches, double? NaiveSeconds, bool? NaiveAgrees);

/// <summary>
/// Suite `rlg`: the label-revelation attack on synthetic updates (<see cref="SyntheticProjectionGradient"/>, untrained-like
/// model) over a grid of C, N and d. Candidate: the fast exact test; baseline: the naive exact test (a fresh GLOP LP per
/// class with all other classes as constraints), measured in the same run on the same batches, and checked to agree.
/// </summary>
public static class RlgBenchmark
{
    public static readonly RlgCell Headline = new(1000, 100, 2048);

    /// <summary>C ∈ {10, 100, 1000} × N ∈ {10, 50, 100} × d ∈ {64, 256, 2048}, plus 5 local steps of 20 at C = 1000, d = 2048.</summary>
    public static readonly IReadOnlyList<RlgCell> DefaultGrid =
    [
        .. from c in new[] { 10, 100, 1000 }
           from n in new[] { 10, 50, 100 }
           from d in new[] { 64, 256, 2048 }
           select new RlgCell(c, n, d),
        new RlgCell(1000, 20, 2048, Steps: 5),
    ];

    /// <summary>The naive LP runs on every batch where C ≤ 100, on one batch of the headline cell, and nowhere else.</summary>
    public static int NaiveBatches(RlgCell cell, int rounds) => cell.Classes <= 100 ? rounds : cell == Headline ? 1 : 0;

    public static BenchReport Run(IReadOnlyList<RlgCell> grid, int rounds, TextWriter output)
    {
        torch.set_num_threads(Environment.ProcessorCount);
        WarmUp();
        output.WriteLine($"rlg: {rounds} batches per cell (seeds 1..{rounds}), untrained-like model (logit scale 1); naive LP where C ≤ 100 and on 1 batch at {Headline}; other C = 1000 cells skip it (≈ 40 s per batch)");
        output.WriteLine("    C      N    K     d  regime     precision  recall  exact  fast s   naive s   naive/fast  agree");
        var rows = new List<RlgMeasurement>();
        foreach (var cell in grid)
        {
            var row = Measure(cell, rounds, NaiveBatches(cell, rounds));
            rows.Add(row);
            output.WriteLine(Format(row));
        }
        var at = rows.FirstOrDefault(r => new RlgCell(r.Classes, r.Batch, r.Features, r.Steps) == Headline && r.NaiveSeconds is not null)
            ?? rows.LastOrDefault(r => r.NaiveSeconds is not null)
            ?? throw new InvalidOperationException("No cell of the grid ran the naive baseline, so there is no ratio.");
        var ratioAt = new RlgCell(at.Classes, at.Batch, at.Features, at.Steps);
        return new BenchReport("rlg", "fast exact test (positive spanning set + NNLS certificates)", "naive exact test (GLOP LP per class, all constraints)",
            at.NaiveSeconds!.Value / at.FastSeconds, $"{ratioAt}, seconds per batch", rows.Cast<object>().ToArray(),
            CandidateSeconds: at.FastSeconds, BaselineSeconds: at.NaiveSeconds);
    }

    private static RlgMeasurement Measure(RlgCell cell, int rounds, int naiveBatches)
    {
        int truePositives = 0, revealed = 0, present = 0, exact = 0;
        var fastSeconds = new List<double>();
        var naiveSeconds = new List<double>();
        var agree = true;
        for (var seed = 1; seed <= rounds; seed++)
        {
            var sample = new SyntheticProjectionGradient(cell.Classes, cell.Features, cell.Batch, cell.Steps, Seed: seed).Generate();
            var fast = Attack(sample, RlgMethod.Fast);
            fastSeconds.Add(fast.Seconds);
            var truth = sample.LabelSet;
            truePositives += fast.Labels.Intersect(truth).Count();
            revealed += fast.Labels.Count;
            present += truth.Length;
            if (fast.Labels.SequenceEqual(truth)) exact++;
            if (seed > naiveBatches) continue;
            var naive = Attack(sample, RlgMethod.ExactLp);
            naiveSeconds.Add(naive.Seconds);
            agree &= naive.Labels.SequenceEqual(fast.Labels);
        }
        return new RlgMeasurement(cell.Classes, cell.Batch, cell.Steps, cell.Features, cell.Regime, rounds,
            revealed == 0 ? null : (double)truePositives / revealed, (double)truePositives / present, (double)exact / rounds,
            Median(fastSeconds), naiveBatches, naiveSeconds.Count == 0 ? null : Median(naiveSeconds), naiveSeconds.Count == 0 ? null : agree);
    }

    private static RlgResult Attack(ProjectionGradientSample sample, RlgMethod method) =>
        RlgAttack.RevealLabels(sample.Update, sample.Classes, sample.Features, MatrixOrientation.ClassesByFeatures, sample.Samples,
            options: new RlgOptions { Method = method });

    /// <summary>JIT, TorchSharp's and OR-Tools' native libraries: loaded once before anything is timed.</summary>
    private static void WarmUp()
    {
        var sample = new SyntheticProjectionGradient(20, 16, 4).Generate();
        Attack(sample, RlgMethod.Fast);
        Attack(sample, RlgMethod.ExactLp);
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string Format(RlgMeasurement m)
    {
        var precision = m.Precision is { } p ? p.ToString("F3", CultureInfo.InvariantCulture) : "—";
        var naive = m.NaiveSeconds is { } n ? n.ToString("F3", CultureInfo.InvariantCulture) : "skipped";
        var ratio = m.NaiveSeconds is { } s ? (s / m.FastSeconds).ToString("F1", CultureInfo.InvariantCulture) : "";
        var agree = m.NaiveAgrees switch { true => "yes", false => "NO", null => "" };
        return FormattableString.Invariant(
            $"{m.Classes,5} {m.Batch,6} {m.Steps,4} {m.Features,5}  {m.Regime,-9} {precision,9} {m.Recall,7:F3} {m.ExactMatch,6:F2} {m.FastSeconds,7:F3} {naive,9} {ratio,11}  {agree}");
    }
}
