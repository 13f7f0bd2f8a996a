using ActorTrain.Tensors.Attacks;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Attacks;

/// <summary>Seeded point sets for comparing the fast separability test with the naive LP, including degenerate ones.</summary>
internal static class ConeInstances
{
    public static IEnumerable<object[]> All()
    {
        for (var seed = 1; seed <= 30; seed++) yield return ["gradient", seed];
        for (var seed = 1; seed <= 10; seed++) yield return ["gaussian", seed];
        for (var seed = 1; seed <= 10; seed++) yield return ["half-space", seed];
        for (var seed = 1; seed <= 12; seed++) yield return ["degenerate", seed];
    }

    public static UnitPoints Build(string kind, int seed)
    {
        var random = new Random(seed);
        return kind switch
        {
            "gradient" => Gradient(random, seed),
            "gaussian" => UnitPoints.From(Gaussian(random, random.Next(3, 41), random.Next(1, 9), out var d), d),
            "half-space" => HalfSpace(random),
            "degenerate" => Degenerate(random),
            _ => throw new ArgumentException(kind),
        };
    }

    /// <summary>
    /// Class points of a synthetic update with C 5–60, d 4–80, N 1–70, K 1–3 local steps, logit scale 0.5–4: covers
    /// S &lt; min(C, d), S ≥ d, S ≥ C and duplicate labels.
    /// </summary>
    private static UnitPoints Gradient(Random random, int seed)
    {
        var sample = new SyntheticProjectionGradient(random.Next(5, 61), random.Next(4, 81), random.Next(1, 71), random.Next(1, 4),
            LogitScale: 0.5 + 3.5 * random.NextDouble(), Seed: seed).Generate();
        using var update = tensor(sample.Update, [sample.Classes, sample.Features]).to_type(float64);
        var points = ClassPoints.Compute(update, sample.Samples);
        return UnitPoints.From(points.Points, points.Rank);
    }

    private static double[] Gaussian(Random random, int count, int dimension, out int d)
    {
        d = dimension;
        var values = new double[count * dimension];
        for (var i = 0; i < values.Length; i++) values[i] = Normal(random);
        return values;
    }

    /// <summary>All points have x₀ ≥ 0.1: the cone is pointed, there is no positive spanning set (the general path).</summary>
    private static UnitPoints HalfSpace(Random random)
    {
        var values = Gaussian(random, random.Next(3, 31), random.Next(2, 7), out var d);
        for (var i = 0; i < values.Length; i += d) values[i] = 0.1 + Math.Abs(values[i]);
        return UnitPoints.From(values, d);
    }

    /// <summary>Duplicated points, positive multiples, antipodal pairs, exact zeros, and S = 1.</summary>
    private static UnitPoints Degenerate(Random random)
    {
        var d = random.Next(1, 5);
        var rows = Enumerable.Range(0, random.Next(3, 16)).Select(_ => Enumerable.Range(0, d).Select(_ => Normal(random)).ToArray()).ToList();
        var originals = rows.Count;
        for (var k = 0; k < 4; k++)
        {
            var source = rows[random.Next(originals)];
            rows.Add((random.Next(4)) switch
            {
                0 => (double[])source.Clone(),
                1 => source.Select(v => 3.5 * v).ToArray(),
                2 => source.Select(v => -v).ToArray(),
                _ => new double[d],
            });
        }
        return UnitPoints.From(rows.SelectMany(r => r).ToArray(), d);
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
