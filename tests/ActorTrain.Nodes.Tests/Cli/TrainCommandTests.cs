using System.Text.Json;

namespace ActorTrain.Nodes.Tests.Cli;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>A small synthetic run; <paramref name="extra"/> options replace the defaults of the same name.</summary>
    private string[] Synthetic(params string[] extra)
    {
        var options = new Dictionary<string, string>
        {
            ["--dataset"] = "synthetic", ["--classes"] = "20", ["--input-size"] = "32", ["--hidden"] = "64",
            ["--epochs"] = "2", ["--runs-dir"] = _temp.File("runs"),
        };
        for (var i = 0; i < extra.Length; i += 2) options[extra[i]] = extra[i + 1];
        return ["train", .. options.SelectMany(o => new[] { o.Key, o.Value })];
    }

    [Fact]
    public void Train_Synthetic_WritesJsonAndRunDirectory()
    {
        var json = _temp.File("out/result.json");

        var run = CliRun.Of(Synthetic("--json", json, "--run-id", "first"));

        Assert.True(run.ExitCode == 0, run.Error);
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        var root = result.RootElement;
        Assert.Equal("first", root.GetProperty("run_id").GetString());
        Assert.Equal("local", root.GetProperty("mode").GetString());
        Assert.Equal(2 * 313, root.GetProperty("steps").GetInt32()); // ⌈20,000 / 64⌉ batches per epoch
        Assert.True(root.GetProperty("test_accuracy").GetDouble() > 0.9);
        Assert.True(root.GetProperty("samples_per_second").GetDouble() > 0);
        Assert.True(root.GetProperty("wall_seconds").GetDouble() > 0);

        var directory = _temp.File("runs/first");
        Assert.Equal(File.ReadAllText(json), File.ReadAllText(Path.Combine(directory, "result.json")));
        Assert.Contains("classes = 20", File.ReadAllText(Path.Combine(directory, "config.conf")));
        var png = File.ReadAllBytes(Path.Combine(directory, "plot.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Assert.True(png.Length > 10_000, "a plot with axes, curves and text is more than a few bytes");
        Assert.Contains("done:", run.Output);
    }

    [Fact]
    public void Train_ResolvedConfigInRunDirectory_ReproducesTheRun()
    {
        var first = CliRun.Of(Synthetic("--steps", "30", "--seed", "9", "--run-id", "a", "--json", _temp.File("a.json")));
        Assert.True(first.ExitCode == 0, first.Error);

        var again = CliRun.Of("--config", _temp.File("runs/a/config.conf"), "train", "--run-id", "b", "--json", _temp.File("b.json"));

        Assert.True(again.ExitCode == 0, again.Error);
        double Accuracy(string file) => JsonDocument.Parse(File.ReadAllText(_temp.File(file))).RootElement.GetProperty("test_accuracy").GetDouble();
        double Loss(string file) => JsonDocument.Parse(File.ReadAllText(_temp.File(file))).RootElement.GetProperty("final_loss").GetDouble();
        Assert.Equal(Accuracy("a.json"), Accuracy("b.json"));
        Assert.Equal(Loss("a.json"), Loss("b.json"));
    }

    [Fact]
    public void Train_ExistingRunDirectory_IsRefusedWithoutTouchingIt()
    {
        Directory.CreateDirectory(_temp.File("runs/taken"));
        File.WriteAllText(_temp.File("runs/taken/result.json"), "keep me");
        var run = CliRun.Of(Synthetic("--steps", "1", "--run-id", "taken"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("already exists", run.Error);
        Assert.Equal("keep me", File.ReadAllText(_temp.File("runs/taken/result.json")));
    }

    [Theory]
    [InlineData("--model", "resnet", "choose one of mlp, cnn")]
    [InlineData("--dataset", "imagenet", "choose one of fashion-mnist, synthetic")]
    [InlineData("--device", "gpu", "'cpu', 'cuda' or 'cuda:N'")]
    [InlineData("--batch-size", "0", "--batch-size 0: must be at least 1")]
    [InlineData("--lr", "-1", "--lr -1: must be a positive number")]
    [InlineData("--hidden", "64,x", "'x' is not a whole number")]
    [InlineData("--optimizer", "lbfgs", "choose one of sgd, adam")]
    [InlineData("--model", "wordmlp", "--model wordmlp needs --dataset fortunes")]
    [InlineData("--vocabulary", "1", "--vocabulary 1: must be 2..1000000")]
    [InlineData("--context", "0", "--context 0: must be 1..64")]
    public void Train_BadOption_ExitsTwoWithClearMessage(string option, string value, string expected)
    {
        var run = CliRun.Of(Synthetic(option, value));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
        Assert.False(Directory.Exists(_temp.File("runs")) && Directory.EnumerateFileSystemEntries(_temp.File("runs")).Any());
    }

    [Fact]
    public void Train_CnnOnVectorData_SaysToUseMlp()
    {
        var run = CliRun.Of(Synthetic("--model", "cnn"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--model mlp", run.Error);
    }

    [Fact]
    public void Train_FortunesWordMlp_TrainsOnTheWordsAndRecordsTheCorpusSettings()
    {
        var json = _temp.File("fortunes.json");

        var run = CliRun.Of("train", "--dataset", "fortunes", "--model", "wordmlp", "--vocabulary", "2500", "--context", "3",
            "--hidden", "64", "--steps", "40", "--evaluations", "1", "--run-id", "words", "--json", json, "--runs-dir", _temp.File("runs"));

        Assert.True(run.ExitCode == 0, run.Error);
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal("fortunes", result.RootElement.GetProperty("dataset").GetString());
        Assert.Equal(2500, result.RootElement.GetProperty("classes").GetInt32());
        Assert.Equal(40, result.RootElement.GetProperty("steps").GetInt32());
        Assert.Contains("vocabulary = 2500, context = 3", File.ReadAllText(_temp.File("runs/words/config.conf")));
    }

    [Fact]
    public void Train_FortunesWithMlp_SaysToUseWordMlp()
    {
        var run = CliRun.Of("train", "--dataset", "fortunes", "--model", "mlp", "--runs-dir", _temp.File("runs"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--dataset fortunes needs --model wordmlp", run.Error);
    }

    [Fact]
    public void Train_MissingFortunes_SaysHowToInstall()
    {
        var run = CliRun.Of("train", "--dataset", "fortunes", "--model", "wordmlp", "--fortunes-dir", _temp.File("nowhere"), "--runs-dir", _temp.File("runs"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("sudo apt-get install fortunes", run.Error);
    }

    [Fact]
    public void Run_FortunesEmbeddedCluster_WorkersBuildTheSameWords()
    {
        var json = _temp.File("cluster.json");

        var run = CliRun.Of("run", "--dataset", "fortunes", "--model", "wordmlp", "--hidden", "64", "--steps", "20", "--workers", "2",
            "--evaluations", "1", "--json", json, "--runs-dir", _temp.File("runs"));

        Assert.True(run.ExitCode == 0, run.Error);
        using var result = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(20, result.RootElement.GetProperty("steps").GetInt32());
        Assert.Equal(2000, result.RootElement.GetProperty("classes").GetInt32());
    }

    [Fact]
    public void Train_UnknownOption_FailsAndNamesIt()
    {
        var run = CliRun.Of("train", "--bogus");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--bogus", run.Error);
    }

    [Fact]
    public void Train_MissingFashionMnist_SaysHowToInstall()
    {
        var run = CliRun.Of("train", "--data", _temp.File("nowhere"), "--runs-dir", _temp.File("runs"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("apt-get install dataset-fashion-mnist", run.Error);
    }

    [Fact]
    public void Train_DataPathIsAFile_SaysItMustBeADirectory()
    {
        File.WriteAllText(_temp.File("file"), "x");
        var run = CliRun.Of("train", "--data", _temp.File("file"), "--runs-dir", _temp.File("runs"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("is a file", run.Error);
    }

    [Fact]
    public void Train_MalformedConfig_NamesTheFile()
    {
        File.WriteAllText(_temp.File("bad.conf"), "actortrain.train { model = \"mlp }");
        var run = CliRun.Of("--config", _temp.File("bad.conf"), "train");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("bad.conf", run.Error);
        Assert.Contains("not valid HOCON", run.Error);
    }

    [Fact]
    public void Train_ConfigKeyLeftEmpty_NamesKeyAndFile()
    {
        File.WriteAllText(_temp.File("empty.conf"), "actortrain { train { batch-size = } }");
        var run = CliRun.Of("--config", _temp.File("empty.conf"), "train");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("actortrain.train.batch-size", run.Error);
        Assert.Contains("empty.conf", run.Error);
    }

    [Fact]
    public void Train_ConfigValueOfWrongType_NamesTheKey()
    {
        File.WriteAllText(_temp.File("typo.conf"), "actortrain.train.batch-size = lots");
        var run = CliRun.Of(["--config", _temp.File("typo.conf"), .. Synthetic()]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("actortrain.train.batch-size", run.Error);
        Assert.Contains("'lots' is not a whole number", run.Error);
    }

    [Fact]
    public void Run_JournalDatabaseUnreachable_FailsBeforeTraining()
    {
        var run = CliRun.Of(["run", .. Synthetic("--steps", "5").Skip(1), "--journal", "postgres:Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("cannot reach the journal database at 127.0.0.1:1/z", run.Error);
    }

    [Fact]
    public void Run_MalformedJournal_SaysWhatIsAccepted()
    {
        var run = CliRun.Of(["run", .. Synthetic("--steps", "5").Skip(1), "--journal", "mysql:whatever"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("write none, sqlite", run.Error);
    }

    [Fact]
    public void Runs_AfterAJournaledRun_ListsItsRecordings()
    {
        var journal = $"sqlite:{_temp.File("journal.db")}";
        var run = CliRun.Of(["run", .. Synthetic("--steps", "12", "--run-id", "recorded").Skip(1), "--journal", journal, "--record-labels", "--capture-every", "3"]);
        Assert.True(run.ExitCode == 0, run.Error);

        var json = _temp.File("runs.json");
        var list = CliRun.Of("runs", "--journal", journal, "--json", json);

        Assert.True(list.ExitCode == 0, list.Error);
        Assert.Contains("recorded", list.Output);
        var entry = JsonDocument.Parse(File.ReadAllText(json)).RootElement.EnumerateArray().Single();
        Assert.Equal("recorded", entry.GetProperty("run_id").GetString());
        // 12 steps of 2 workers = 24 accepted updates at versions 0..11; every third version is captured: 0, 3, 6, 9.
        Assert.Equal(8, entry.GetProperty("updates").GetInt64());
        Assert.Equal(9, entry.GetProperty("last_version").GetInt64());
        Assert.Equal(24, entry.GetProperty("labels").GetInt64());
        Assert.True(entry.GetProperty("recoverable").GetBoolean());
    }

    [Fact]
    public void Run_ResumingAJournalWhoseSnapshotIsCorrupt_RefusesNamingTheSequenceNumber()
    {
        var path = _temp.File("journal.db");
        var first = CliRun.Of(["run", .. Synthetic("--steps", "12", "--run-id", "damaged").Skip(1), "--journal", $"sqlite:{path}"]);
        Assert.True(first.ExitCode == 0, first.Error);
        // The run ended with a snapshot at step 12 (the steps before it are pruned); flip a byte of its weights.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            var read = connection.CreateCommand();
            read.CommandText = "SELECT snapshot FROM snapshot WHERE persistence_id = 'parameter-server-damaged'";
            var snapshot = (byte[])read.ExecuteScalar()!;
            snapshot[^7] ^= 0x01;
            var write = connection.CreateCommand();
            write.CommandText = "UPDATE snapshot SET snapshot = $s WHERE persistence_id = 'parameter-server-damaged'";
            write.Parameters.AddWithValue("$s", snapshot);
            Assert.Equal(1, write.ExecuteNonQuery());
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var resumed = CliRun.Of(["run", .. Synthetic("--steps", "24", "--run-id", "damaged", "--runs-dir", _temp.File("runs-again")).Skip(1),
            "--journal", $"sqlite:{path}"]);

        Assert.Equal(1, resumed.ExitCode);
        Assert.Contains("persistence id parameter-server-damaged) cannot be used at sequence number 12: the snapshot cannot be decoded", resumed.Error);
        Assert.Contains("checksum mismatch", resumed.Error);
    }

    [Fact]
    public void Runs_MissingJournalFile_SaysSo()
    {
        var list = CliRun.Of("runs", "--journal", $"sqlite:{_temp.File("none.db")}");
        Assert.Equal(2, list.ExitCode);
        Assert.Contains("no such file", list.Error);
    }
}
