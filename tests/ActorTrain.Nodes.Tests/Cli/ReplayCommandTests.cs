using System.Text.Json;
using ActorTrain.Actors.Recording;
using Microsoft.Data.Sqlite;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>`actortrain replay` on a journal recorded by `actortrain run --journal sqlite:...` (30 updates of 2 workers).</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private const string RunId = "recorded";
    private readonly TempDirectory _temp = new();

    public ReplayCommandTests()
    {
        var run = CliRun.Of("run", "--dataset", "synthetic", "--classes", "200", "--batch-size", "16", "--steps", "15", "--evaluations", "1",
            "--journal", Journal, "--record-labels", "--run-id", RunId, "--runs-dir", _temp.File("runs"));
        Assert.True(run.ExitCode == 0, run.Error);
    }

    private string Journal => $"sqlite:{_temp.File("journal.db")}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private (CliRun Run, JsonElement Json) Replay(params string[] extra)
    {
        var json = _temp.File($"replay-{Guid.NewGuid():N}.json");
        var run = CliRun.Of(["replay", "--journal", Journal, "--run", RunId, "--attack", "rlg", "--json", json, .. extra]);
        Assert.True(run.ExitCode == 0, run.Error);
        return (run, JsonDocument.Parse(File.ReadAllText(json)).RootElement);
    }

    [Fact]
    public void Replay_RecordedRun_ScoresEveryUpdateAgainstTheRecordedLabels()
    {
        var (run, json) = Replay();

        Assert.Equal(30, json.GetProperty("replayed").GetInt64());
        Assert.Equal(30, json.GetProperty("with_truth").GetInt64());
        Assert.Equal(0, json.GetProperty("corrupt").GetArrayLength());
        var tap = json.GetProperty("tap");
        Assert.Equal(30, tap.GetProperty("updates_attacked").GetInt64());
        Assert.Equal(1.0, tap.GetProperty("precision").GetDouble());
        Assert.Equal(1.0, tap.GetProperty("recall").GetDouble());
        Assert.Equal(30 * (200 * 128 + 200) * 4L, json.GetProperty("payload_bytes").GetInt64()); // projection weight (200 × 128) and bias, fp32
        Assert.Contains("replayed 30 updates", run.Output);
    }

    [Fact]
    public void Replay_FromTo_ReplaysOnlyThoseVersions()
    {
        var log = _temp.File("range.jsonl");

        var (_, json) = Replay("--from", "3", "--to", "5", "--log", log);

        Assert.Equal(6, json.GetProperty("replayed").GetInt64()); // versions 3, 4, 5 of 2 workers
        Assert.Equal([3L, 3, 4, 4, 5, 5], Actors.Tap.RevealedLog.ReadAll(log).Select(r => r.Version).Order());
    }

    [Fact]
    public void Replay_CorruptUpdate_ReportsItsSequenceNumberAndReplaysTheRest()
    {
        // Sequence number 1 is the run's spec; 5 is the fourth captured update. Flip a byte inside its checksummed payload.
        using (var connection = new SqliteConnection($"Data Source={_temp.File("journal.db")}"))
        {
            connection.Open();
            var read = connection.CreateCommand();
            read.CommandText = "SELECT message FROM journal WHERE persistence_id = $id AND sequence_number = 5";
            read.Parameters.AddWithValue("$id", RecordingStreams.Updates(RunId));
            var message = (byte[])read.ExecuteScalar()!;
            message[^100] ^= 0x10;
            var write = connection.CreateCommand();
            write.CommandText = "UPDATE journal SET message = $m WHERE persistence_id = $id AND sequence_number = 5";
            write.Parameters.AddWithValue("$m", message);
            write.Parameters.AddWithValue("$id", RecordingStreams.Updates(RunId));
            Assert.Equal(1, write.ExecuteNonQuery());
        }

        var (run, json) = Replay();

        var corrupt = json.GetProperty("corrupt").EnumerateArray().Single();
        Assert.Equal(5, corrupt.GetProperty("sequence_nr").GetInt64());
        Assert.Equal(RecordingStreams.Updates(RunId), corrupt.GetProperty("persistence_id").GetString());
        Assert.Equal(29, json.GetProperty("replayed").GetInt64());
        Assert.Equal(1.0, json.GetProperty("tap").GetProperty("recall").GetDouble());
        Assert.Contains($"skipped event 5 of {RecordingStreams.Updates(RunId)}", run.Output);
    }

    [Fact]
    public void Replay_UnknownRun_SaysHowToListTheRuns()
    {
        var run = CliRun.Of("replay", "--journal", Journal, "--run", "nope", "--attack", "rlg");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("no recorded updates of run 'nope'", run.Error);
        Assert.Contains("actortrain runs --journal", run.Error);
    }

    [Fact]
    public void Replay_MissingJournalFile_SaysSo()
    {
        var run = CliRun.Of("replay", "--journal", $"sqlite:{_temp.File("absent.db")}", "--run", RunId, "--attack", "rlg");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("no such file", run.Error);
    }
}

/// <summary>`replay` from the PostgreSQL journal several machines share (the server .ci/run starts).</summary>
public sealed class ReplayPostgresTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Replay_FromPostgres_ReplaysTheRecordedRun()
    {
        var journal = "postgres:" + (Environment.GetEnvironmentVariable("ACTORTRAIN_TEST_POSTGRES")
            ?? "Host=127.0.0.1;Port=5432;Username=actortrain;Password=actortrain;Database=actortrain");
        var runId = $"replay-{Guid.NewGuid():N}";
        var run = CliRun.Of("run", "--dataset", "synthetic", "--classes", "200", "--batch-size", "16", "--steps", "10", "--evaluations", "1",
            "--journal", journal, "--record-labels", "--run-id", runId, "--runs-dir", _temp.File("runs"));
        Assert.True(run.ExitCode == 0, run.Error);
        var json = _temp.File("replay.json");

        var replay = CliRun.Of("replay", "--journal", journal, "--run", runId, "--attack", "rlg", "--json", json);

        Assert.True(replay.ExitCode == 0, replay.Error);
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(20, root.GetProperty("replayed").GetInt64());
        Assert.Equal(1.0, root.GetProperty("tap").GetProperty("precision").GetDouble());
        Assert.Equal(1.0, root.GetProperty("tap").GetProperty("recall").GetDouble());
        Assert.DoesNotContain("Password", root.GetProperty("journal").GetString());
    }
}
