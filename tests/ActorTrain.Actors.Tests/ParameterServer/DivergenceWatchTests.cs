using ActorTrain.Actors.ParameterServer;

namespace ActorTrain.Actors.Tests.ParameterServer;

public sealed class DivergenceWatchTests
{
    [Fact]
    public void Failures_EndTheRunOnlyWhenTheyComeWithoutAnAcceptedUpdateBetween()
    {
        var watch = new DivergenceWatch();
        var limit = DivergenceWatch.LimitFor(2);
        Assert.Equal(4, limit);
        for (var round = 0; round < 10; round++)
        {
            Assert.False(watch.Record("w0", round, "non-finite loss", limit));
            Assert.False(watch.Record("w1", round, "non-finite loss", limit));
            Assert.False(watch.Record("w0", round, "non-finite loss", limit));
            watch.Accepted(); // one worker got through: a bad batch, not a diverged run
        }
        Assert.Null(watch.Verdict);
        for (var i = 0; i < limit - 1; i++) Assert.False(watch.Record("w0", 7, "non-finite loss", limit));
        Assert.True(watch.Record("w1", 7, "non-finite values (NaN or infinity)", limit));
        Assert.Contains("training diverged at version 7: 4 worker steps in a row were not finite", watch.Verdict);
        Assert.Contains("worker w1: non-finite values (NaN or infinity)", watch.Verdict);
        Assert.Contains("--lr", watch.Verdict);
    }

    [Fact]
    public void ASingleWorker_StillGetsTwoRetriesBeforeTheRunEnds()
    {
        var watch = new DivergenceWatch();
        Assert.False(watch.Record("w", 0, "non-finite loss", DivergenceWatch.LimitFor(1)));
        Assert.False(watch.Record("w", 0, "non-finite loss", DivergenceWatch.LimitFor(1)));
        Assert.True(watch.Record("w", 0, "non-finite loss", DivergenceWatch.LimitFor(1)));
    }
}
