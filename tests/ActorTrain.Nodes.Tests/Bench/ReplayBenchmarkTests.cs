using ActorTrain.Nodes.Bench;

namespace ActorTrain.Nodes.Tests.Bench;

public sealed class ReplayBenchmarkTests
{
    [Fact]
    public void Measure_ReadsEveryRecordedByteBothWays()
    {
        var output = new StringWriter();

        var rounds = ReplayBenchmark.Measure(4L << 20, rounds: 1, output);

        var round = Assert.Single(rounds);
        Assert.Equal(4, round.Updates); // 1,048,000-byte updates (C = 1000, d = 262, fp32) in 4 MiB
        Assert.Equal(4 * 1000 * 262 * 4L, round.PayloadBytes);
        Assert.True(round.JournalMbps > 0 && round.FileMbps > 0 && round.Ratio > 0, round.ToString());
        Assert.Contains("recorded 4 updates", output.ToString());
    }
}
