using ActorTrain.Tensors.Training;

namespace ActorTrain.Tensors.Tests.Training;

public sealed class AveragingPeriodTests
{
    [Fact]
    public void StepsAt_Fixed_IsTheSameEveryRound() =>
        Assert.All(new long[] { 0, 1, 7, 1_000_000 }, r => Assert.Equal(8, new AveragingPeriod(8).StepsAt(r)));

    [Fact]
    public void StepsAt_Adaptive_DoublesEveryRRoundsUpToTheMaximum()
    {
        var period = new AveragingPeriod(2, Max: 12, DoubleEvery: 3);
        // Rounds 0–2: 2, 3–5: 4, 6–8: 8, then 16 capped at 12 for ever (also far beyond 2^31).
        Assert.Equal([2, 2, 2, 4, 4, 4, 8, 8, 8, 12, 12], Enumerable.Range(0, 11).Select(r => period.StepsAt(r)));
        Assert.Equal(12, period.StepsAt(long.MaxValue));
    }

    [Fact]
    public void StepsAt_MaxNotAboveInitial_IsFixed() => Assert.Equal(4, new AveragingPeriod(4, Max: 4, DoubleEvery: 1).StepsAt(10));
}
