using System.Text.Json;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Nodes.Tests.Cli;

public sealed class AttackCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void AttackRlg_WithSamplesAndBias_PrintsAndWritesLabelsAndCounts()
    {
        var sample = new SyntheticProjectionGradient(200, 64, 20, Seed: 41).Generate();
        var update = Write("update.npy", sample.Update, 200, 64);
        var bias = Write("bias.npy", sample.BiasGradient, 200);
        var json = _temp.File("out/rlg.json");

        var run = CliRun.Of("attack", "rlg", "--update", update, "--samples", "20", "--bias", bias, "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains($"labels ({sample.LabelSet.Length}): {string.Join(' ', sample.LabelSet)}", run.Output);
        Assert.Contains("counts (label×n, 20 samples):", run.Output);
        Assert.Contains("rank used: 20 (caller;", run.Output);
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(sample.LabelSet, root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()));
        var counts = root.GetProperty("counts").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(sample.LabelSet.Select(label => sample.Counts[label]), counts); // untrained model: counts exact here
        Assert.Equal(20, root.GetProperty("rank_used").GetInt32());
        Assert.Equal("caller", root.GetProperty("rank_rule").GetString());
        Assert.True(root.GetProperty("seconds").GetDouble() > 0);
    }

    [Fact]
    public void AttackRlg_FeaturesByClassesWithoutSamples_UsesSpectrumGapAndOmitsCounts()
    {
        var sample = new SyntheticProjectionGradient(150, 48, 12, Seed: 42).Generate();
        var update = Write("kernel.npy", sample.TransposedUpdate(), 48, 150);
        var json = _temp.File("rlg.json");

        var run = CliRun.Of("attack", "rlg", "--update", update, "--orientation", "dc", "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(sample.LabelSet, root.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("spectrum-gap", root.GetProperty("rank_rule").GetString());
        Assert.Equal(12, root.GetProperty("rank_used").GetInt32());
        Assert.False(root.TryGetProperty("counts", out _));
    }

    [Fact]
    public void AttackRlg_ExactLpMethod_AgreesWithDefault()
    {
        var sample = new SyntheticProjectionGradient(40, 32, 8, Seed: 43).Generate();
        var update = Write("small.npy", sample.Update, 40, 32);

        var fast = CliRun.Of("attack", "rlg", "--update", update, "--samples", "8");
        var exact = CliRun.Of("attack", "rlg", "--update", update, "--samples", "8", "--method", "exact-lp");

        Assert.True(exact.ExitCode == 0, exact.Error);
        Assert.Equal(fast.Output.Split('\n')[0], exact.Output.Split('\n')[0]);
        Assert.Contains("(exact-lp)", exact.Output);
    }

    [Fact]
    public void AttackRlg_MissingFile_IsAUserError()
    {
        var run = CliRun.Of("attack", "rlg", "--update", _temp.File("absent.npy"));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: .npy file not found", run.Error);
    }

    [Fact]
    public void AttackRlg_CorruptFile_NamesFileAndProblem()
    {
        var path = _temp.File("corrupt.npy");
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

        var run = CliRun.Of("attack", "rlg", "--update", path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"error: {path}: bad magic", run.Error);
    }

    [Fact]
    public void AttackRlg_VectorUpdate_IsRejected()
    {
        var update = Write("vector.npy", [1, 2, 3], 3);
        var run = CliRun.Of("attack", "rlg", "--update", update);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("expected a 2-D array, got shape (3,)", run.Error);
    }

    [Fact]
    public void AttackRlg_NonFiniteValue_IsRejected()
    {
        var update = Write("nan.npy", [float.NaN, 1, 2, 3, 4, 5], 2, 3);
        var run = CliRun.Of("attack", "rlg", "--update", update);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: Update[0, 0] is NaN", run.Error);
    }

    [Fact]
    public void AttackRlg_BiasOfWrongLength_IsRejected()
    {
        var update = Write("u.npy", Enumerable.Range(0, 12).Select(i => (float)Math.Cos(i)).ToArray(), 3, 4);
        var bias = Write("b.npy", [0, 0, 0, 0], 4);

        var run = CliRun.Of("attack", "rlg", "--update", update, "--bias", bias);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Bias gradient has 4 values", run.Error);
    }

    [Theory]
    [InlineData("--orientation", "xy", "--orientation xy: use cd")]
    [InlineData("--method", "simplex", "--method simplex: use one of fast, exact-lp, restricted-lp")]
    [InlineData("--samples", "0", "Samples (S) must be at least 1")]
    public void AttackRlg_BadOption_IsAUserError(string option, string value, string expected)
    {
        var update = Write("u.npy", Enumerable.Range(0, 12).Select(i => (float)Math.Cos(i)).ToArray(), 3, 4);
        var run = CliRun.Of("attack", "rlg", "--update", update, option, value);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error);
    }

    private string Write(string name, float[] values, params int[] shape)
    {
        var path = _temp.File(name);
        NpyWriter.Write(path, values, shape);
        return path;
    }
}
