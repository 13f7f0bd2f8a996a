using System.Text.Json;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Tap;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>A run recorded by another process, attacked online there and replayed here: the tap's results agree update by update.</summary>
[Collection(ProcessCollection.Name)]
public sealed class ReplayProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Replay_OfARunRecordedByAnotherProcess_RevealsWhatTheOnlineTapRevealed()
    {
        var journal = $"sqlite:{_temp.File("journal.db")}";
        using var recorder = ActorTrainProcess.Start("recorder", _temp.Path, "run", "--dataset", "synthetic", "--classes", "500",
            "--batch-size", "16", "--steps", "25", "--evaluations", "1", "--journal", journal, "--record-labels", "--attack", "rlg",
            "--run-id", "elsewhere", "--runs-dir", _temp.File("runs"));
        Assert.True(await recorder.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, recorder.Output);

        var log = _temp.File("replayed.jsonl");
        var replay = CliRun.Of("replay", "--journal", journal, "--run", "elsewhere", "--attack", "rlg", "--log", log);

        Assert.True(replay.ExitCode == 0, replay.Error);
        var online = RevealedLog.ReadAll(_temp.File($"runs/elsewhere/{TapSettings.LogFileName}"));
        var offline = RevealedLog.ReadAll(log).ToDictionary(r => (r.Version, r.WorkerId));
        Assert.Equal(50, offline.Count); // every recorded update
        Assert.NotEmpty(online); // the online tap may have dropped some: compare what it attacked
        foreach (var revealed in online)
        {
            var again = offline[(revealed.Version, revealed.WorkerId)];
            Assert.Equal(revealed.Labels, again.Labels);
            Assert.Equal(revealed.Counts, again.Counts);
            Assert.Equal(revealed.RankUsed, again.RankUsed);
            Assert.Equal(revealed.Score, again.Score);
        }
        Assert.All(offline.Values, r => Assert.True(r.Score is { ExactMatch: true }, $"update {r.Version} of {r.WorkerId}: {r.Score}"));
    }
}
