using ActorTrain.Tensors.Attacks;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class RevelationScoreTests
{
    [Fact]
    public void Add_MicroAveragesOverLabels_AndCountsExactSetsAndCounts()
    {
        var score = new RevelationScore();

        // Truth {1×2, 4×1}; revealed {1, 4} with counts 2, 1: exact set, exact counts.
        var first = score.Add([1, 4], [2, 1], [1, 4, 1]);
        // Truth {2, 3}; revealed {2, 5}: one found, one wrong, one missed; counts given but the set is wrong.
        var second = score.Add([2, 5], [1, 1], [2, 3]);
        // Truth {7×2}; revealed {7} with count 1: exact set, wrong count.
        var third = score.Add([7], [1], [7, 7]);

        Assert.Equal(new UpdateScore(2, 0, 0, true, true), first);
        Assert.Equal(new UpdateScore(1, 1, 1, false, false), second);
        Assert.Equal(new UpdateScore(1, 0, 0, true, false), third);
        Assert.Equal(4.0 / 5, score.Precision); // found 4 of 5 claimed
        Assert.Equal(4.0 / 5, score.Recall); // found 4 of 5 present
        Assert.Equal(2.0 / 3, score.ExactMatch);
        Assert.Equal(1.0 / 3, score.CountAccuracy);
    }

    [Fact]
    public void Add_WithoutCounts_LeavesCountAccuracyUndefined()
    {
        var score = new RevelationScore();

        score.Add([0, 1], null, [0, 1]);

        Assert.Equal(1.0, score.Precision);
        Assert.Equal(0, score.CountedUpdates);
        Assert.True(double.IsNaN(score.CountAccuracy));
    }

    [Fact]
    public void Scores_BeforeAnyUpdate_AreUndefined()
    {
        var score = new RevelationScore();

        Assert.True(double.IsNaN(score.Precision) && double.IsNaN(score.Recall) && double.IsNaN(score.ExactMatch));
    }

    [Fact]
    public void Add_CountsForAnotherNumberOfLabels_Throws() =>
        Assert.Throws<ArgumentException>(() => new RevelationScore().Add([1, 2], [1], [1, 2]));
}
