using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class ConeSeparabilityTests
{
    public static IEnumerable<object[]> Instances() => ConeInstances.All();

    /// <summary>
    /// The fast test against the naive exact test (one GLOP LP per class, all other classes as constraints) on 62 seeded
    /// instances: synthetic gradients (S below, at and above d and C; duplicate labels), Gaussian points, pointed cones
    /// and degenerate sets (duplicates, multiples, antipodes, zeros, S = 1). The two must agree on every class.
    /// </summary>
    [Theory]
    [MemberData(nameof(Instances))]
    public void Decide_RandomInstance_SameSetAsNaiveLp(string kind, int seed)
    {
        var points = ConeInstances.Build(kind, seed);

        var fast = ConeSeparability.Decide(points).Present;
        var naive = GlopSeparability.Naive(points);

        var differing = Enumerable.Range(0, points.Count).Where(i => fast[i] != naive[i]).Select(i => points.Classes[i]);
        Assert.True(fast.SequenceEqual(naive), $"{kind} #{seed} ({points.Count} points in R^{points.Dimension}): classes decided differently: {string.Join(", ", differing)}");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Decide_PointedCone_HasNoPositiveSpanningSetAndStillMatches(int seed)
    {
        var points = ConeInstances.Build("half-space", seed);

        var outcome = ConeSeparability.Decide(points);

        Assert.False(outcome.Stats.PositiveSpanning);
        Assert.Equal(GlopSeparability.Naive(points), outcome.Present);
    }

    [Theory]
    [InlineData("gradient", 2)]
    [InlineData("gradient", 9)]
    [InlineData("half-space", 4)]
    public void Decide_NnlsCappedAtOneIteration_FallsBackToLpAndMatches(string kind, int seed)
    {
        var points = ConeInstances.Build(kind, seed);

        var outcome = ConeSeparability.Decide(points, iterationCap: 1);

        Assert.True(outcome.Stats.LpFallbacks > 0);
        Assert.Equal(GlopSeparability.Naive(points), outcome.Present);
    }

    [Fact]
    public void Decide_TwoOppositePoints_BothPresent()
    {
        // cone{−x} = the ray through −x, which does not hold x (and vice versa).
        var points = UnitPoints.From([1, 0, -1, 0], 2);
        Assert.Equal([true, true], ConeSeparability.Decide(points).Present);
    }

    [Fact]
    public void Decide_DuplicatePoint_BothAbsent()
    {
        // Each copy lies in the cone of the other.
        var points = UnitPoints.From([1, 0, 1, 0, 0, 1], 2);
        Assert.Equal([false, false, true], ConeSeparability.Decide(points).Present);
    }
}
