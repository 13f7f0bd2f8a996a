using System.Text;
using ActorTrain.Tensors.Data;
using Microsoft.Data.Sqlite;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// What a user can type wrong, given to the real `actortrain` executable: each is refused with exit code 2 and an
/// error that names the bad option, file or value and what to do about it, never a stack trace, and every input
/// file is left exactly as it was. In the arguments, {temp} stands for this test's folder.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class BadInputTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private const string Unreachable = "postgres:Host=127.0.0.1;Port=1;Username=x;Password=y;Database=z";
    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, byte[]> _inputs = new();

    public BadInputTests()
    {
        Directory.CreateDirectory(_temp.File("folder"));
        Input("plain.txt", "not a folder\n"u8.ToArray());
        Input("bad.conf", "actortrain.train { model = \"mlp }\n"u8.ToArray());
        Input("not-a-database.db", "hello, not SQLite\n"u8.ToArray());
        Input("other-program.db", OtherProgramsDatabase());
        var x = Npy(8, 3);
        Input("x.npy", x);
        Input("z.npy", Npy(8, 2));
        Input("z-six-rows.npy", Npy(6, 2));
        Input("int64.npy", Patch(x, "'<f4'", "'<i8'"));
        Input("bool.npy", Patch(x, "'<f4'", "'|b1'"));
        Input("cut-header.npy", x[..30]);
        Input("short-data.npy", Patch(x, "(8, 3)", "(9, 3)"));
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("run --dataset synthetic --steps 1")]
    [InlineData("node --role ps --dataset synthetic --steps 1")]
    [InlineData("bench codec --rounds 1 --size-mb 1")]
    public async Task MalformedConfig_IsRefusedNamingTheFileAndTheSpot(string command)
    {
        var output = await Refused(["--config", "{temp}/bad.conf", .. command.Split(' ')]);
        Assert.Contains("bad.conf: not valid HOCON: line 1, column 28: string is not closed on its line", output);
    }

    [Theory]
    [InlineData("replay --journal sqlite:{temp}/x.db --run r --attack rlg", "actortrain replay")]
    [InlineData("runs --journal sqlite:{temp}/x.db", "actortrain runs")]
    [InlineData("leakage --inputs {temp}/x.npy --activations {temp}/z.npy", "actortrain leakage")]
    public async Task Config_ForACommandThatReadsNone_IsRefusedInsteadOfIgnored(string command, string name)
    {
        var output = await Refused(["--config", "{temp}/bad.conf", .. command.Split(' ')]);
        Assert.Contains($"--config {_temp.Path}/bad.conf: `{name}` reads no configuration file", output);
        Assert.Contains("leave --config out", output);
    }

    [Theory]
    [InlineData("train --bogus", "actortrain train")]
    [InlineData("run --bogus", "actortrain run")]
    [InlineData("node --role ps --bogus", "actortrain node")]
    [InlineData("runs --journal sqlite:x.db --bogus", "actortrain runs")]
    [InlineData("replay --journal sqlite:x.db --run r --attack rlg --bogus", "actortrain replay")]
    [InlineData("leakage --inputs x.npy --activations z.npy --bogus", "actortrain leakage")]
    [InlineData("bench codec --bogus", "actortrain bench")]
    [InlineData("attack rlg --update u.npy --bogus", "actortrain attack rlg")]
    public async Task UnknownOption_IsRefusedNamingItAndWhereTheOptionsAreListed(string command, string name)
    {
        var output = await Refused(command.Split(' '));
        Assert.Contains("error: Unrecognized command or argument '--bogus'", output);
        Assert.Contains($"`{name} --help` lists every option", output);
    }

    [Theory]
    [InlineData("run --stpes 5", "did you mean --steps?")]
    [InlineData("replya --journal sqlite:x.db", "did you mean replay?")]
    [InlineData("run --steps many", "Cannot parse argument 'many' for option '--steps' as a whole number")]
    [InlineData("node --role ps --training-seed x", "Cannot parse argument 'x' for option '--training-seed' as a whole number")]
    public async Task Misspelling_IsRefusedWithTheClosestName(string command, string expected) =>
        Assert.Contains(expected, await Refused(command.Split(' ')));

    [Theory]
    [InlineData("run --data {temp}/plain.txt", "'{temp}/plain.txt' is a file; it must be a directory holding the IDX files")]
    [InlineData("run --data {temp}/missing", "no train-images-idx3-ubyte.gz or train-images-idx3-ubyte in '{temp}/missing'")]
    [InlineData("run --dataset fortunes --model wordmlp --fortunes-dir {temp}/plain.txt", "'{temp}/plain.txt' is a file; it must be the directory holding the fortune files")]
    [InlineData("node --role ps --data {temp}/plain.txt", "'{temp}/plain.txt' is a file; it must be a directory holding the IDX files")]
    public async Task DataFolder_ThatIsAFileOrMissing_IsRefusedSayingWhereToPointIt(string command, string expected)
    {
        var output = await Refused([.. command.Split(' '), "--steps", "1", "--runs-dir", "{temp}/runs"]);
        Assert.Contains(Expand(expected), output);
        Assert.Contains(command.Contains("fortunes") ? "Point --fortunes-dir at that directory" : "--data", output);
    }

    [Theory]
    [InlineData("run", "cuda:7")]
    [InlineData("train", "cuda:7")]
    public async Task Device_ThisMachineDoesNotHave_IsRefusedInsteadOfWaitingForever(string command, string device)
    {
        // A worker that cannot take its device used to restart silently while the server waited for it.
        var output = await Refused([command, "--dataset", "synthetic", "--device", device, "--steps", "2", "--runs-dir", "{temp}/runs"]);
        Assert.Contains($"Device {device} is not available", output);
        Assert.Contains("--device cpu", output);
    }

    [Theory]
    [InlineData("int64.npy", "--inputs {temp}/int64.npy: dtype '<i8' is not supported; expected float32 ('<f4') or float64 ('<f8')", "astype(numpy.float32)")]
    [InlineData("bool.npy", "--inputs {temp}/bool.npy: dtype '|b1' is not supported", "astype(numpy.float32)")]
    [InlineData("cut-header.npy", "--inputs {temp}/cut-header.npy: truncated: the header should have", "save or copy it again")]
    [InlineData("short-data.npy", "--inputs {temp}/short-data.npy: truncated: shape (9, 3) of <f4 needs 108 data bytes but only 96 are present", "save or copy it again")]
    public async Task Leakage_UnusableInputsFile_IsRefusedNamingTheOptionFileAndProblem(string file, string problem, string fix)
    {
        var output = await Refused("leakage", "--inputs", $"{{temp}}/{file}", "--activations", "{temp}/z.npy");
        Assert.Contains(Expand(problem), output);
        Assert.Contains(fix, output);
    }

    [Fact]
    public async Task Leakage_RowCountsThatDiffer_AreRefusedNamingBothCounts() =>
        Assert.Contains("--inputs holds 8 samples but --activations holds 6; they pair row by row",
            await Refused("leakage", "--inputs", "{temp}/x.npy", "--activations", "{temp}/z-six-rows.npy"));

    [Theory]
    [InlineData("foo:bar", "--journal foo:bar: give sqlite:PATH or postgres:CONNECTION-STRING")]
    [InlineData("postgres:", "--journal postgres:: give sqlite:PATH or postgres:CONNECTION-STRING")]
    [InlineData("postgres:garbage", "not a PostgreSQL connection string")]
    [InlineData(Unreachable, "cannot reach the journal database at 127.0.0.1:1/z")]
    [InlineData("sqlite", "to read one, give its path: sqlite:runs/RUN/journal.db")]
    [InlineData("sqlite:{temp}/folder", "{temp}/folder is a directory; name the journal's file")]
    [InlineData("sqlite:{temp}/not-a-database.db", "{temp}/not-a-database.db is not a SQLite database")]
    [InlineData("sqlite:{temp}/other-program.db", "{temp}/other-program.db is a SQLite database of something else (tables notes; no journal table)")]
    public async Task JournalToRead_Unusable_IsRefusedByRunsAndReplay(string journal, string expected)
    {
        Assert.Contains(Expand(expected), await Refused("runs", "--journal", journal));
        Assert.Contains(Expand(expected), await Refused("replay", "--journal", journal, "--run", "r", "--attack", "rlg"));
        Assert.False(File.Exists(_temp.File("journal.db")), "reading a journal created one");
    }

    /// <summary>Before the fix, the first hung with a stack trace per retry and the second added journal tables to the file.</summary>
    [Theory]
    [InlineData("not-a-database.db", "is not a SQLite database")]
    [InlineData("other-program.db", "is a SQLite database of something else")]
    public async Task Run_JournalFileThatIsNoJournal_IsRefusedBeforeTraining(string file, string expected) =>
        Assert.Contains(expected, await Refused("run", "--dataset", "synthetic", "--steps", "1", "--runs-dir", "{temp}/runs", "--journal", $"sqlite:{{temp}}/{file}"));

    /// <summary>Runs the executable in the test's folder; asserts exit code 2, no stack trace and every input file unchanged.</summary>
    private async Task<string> Refused(params string[] args)
    {
        using var process = ActorTrainProcess.Start("actortrain", _temp.Path, args.Select(Expand).ToArray());
        var code = await process.WaitForExitAsync(Timeout);
        var output = process.Output;
        Assert.True(code == 2, $"exit code {code}, not 2 (bad input). Output:\n{output}");
        Assert.DoesNotContain("\n   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
        foreach (var (name, content) in _inputs)
            Assert.True(content.AsSpan().SequenceEqual(File.ReadAllBytes(_temp.File(name))), $"{name} was changed");
        return output;
    }

    private string Expand(string text) => text.Replace("{temp}", _temp.Path, StringComparison.Ordinal);

    private void Input(string name, byte[] content)
    {
        File.WriteAllBytes(_temp.File(name), content);
        _inputs[name] = content;
    }

    private byte[] Npy(int rows, int columns)
    {
        var path = _temp.File("scratch.npy");
        NpyWriter.Write(path, Enumerable.Range(0, rows * columns).Select(i => MathF.Sin(i)).ToArray(), rows, columns);
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>Replaces a header field by one of the same length, so the file stays well formed otherwise.</summary>
    private static byte[] Patch(byte[] npy, string from, string to)
    {
        var header = Encoding.Latin1.GetString(npy, 0, 128);
        Assert.Contains(from, header);
        var patched = npy.ToArray();
        Encoding.Latin1.GetBytes(header.Replace(from, to, StringComparison.Ordinal)).CopyTo(patched, 0);
        return patched;
    }

    /// <summary>A SQLite database that is not a journal: one table of another program.</summary>
    private byte[] OtherProgramsDatabase()
    {
        var path = _temp.File("scratch.db");
        using (var database = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            database.Open();
            using var create = database.CreateCommand();
            create.CommandText = "CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('keep me');";
            create.ExecuteNonQuery();
        }
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }
}
