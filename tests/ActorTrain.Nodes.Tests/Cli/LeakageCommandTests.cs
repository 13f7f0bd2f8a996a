using System.Text;
using System.Text.Json;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Defenses;
using static TorchSharp.torch;

namespace ActorTrain.Nodes.Tests.Cli;

public sealed class LeakageCommandTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Leakage_ImageBatchAndActivations_PrintsAndWritesAllThreeForms()
    {
        var images = Values(24 * 12, seed: 1);
        var activations = Enumerable.Range(0, 24)
            .SelectMany(i => new[] { (float)Math.Tanh(images[12 * i] * images[12 * i + 5]), images[12 * i + 7] * images[12 * i + 7], 0.5f })
            .ToArray();
        var inputs = Write("x.npy", images, 24, 1, 3, 4);
        var json = _temp.File("out/leakage.json");

        var run = CliRun.Of("leakage", "--inputs", inputs, "--activations", Write("z.npy", activations, 24, 3), "--json", json);

        Assert.True(run.ExitCode == 0, run.Error);
        // The library on the same samples flattened by hand: the command must flatten (1, 3, 4) into 12 values per sample.
        var expected = DistanceCorrelation.Measure(
            tensor(images.Select(v => (double)v).ToArray(), [24, 12]), tensor(activations.Select(v => (double)v).ToArray(), [24, 3]));
        var root = JsonDocument.Parse(File.ReadAllText(json)).RootElement;
        Assert.Equal(expected.Dcor, root.GetProperty("dcor").GetDouble(), 1e-12);
        Assert.Equal(expected.DcorSquared, root.GetProperty("dcor_squared").GetDouble(), 1e-12);
        Assert.Equal(expected.DcorUnbiased, root.GetProperty("dcor_unbiased").GetDouble(), 1e-12);
        Assert.Equal(24, root.GetProperty("n").GetInt32());
        Assert.Contains(FormattableString.Invariant($"dcor: {expected.Dcor:F6}"), run.Output);
        Assert.Contains("n: 24", run.Output);
        Assert.InRange(expected.Dcor, 0.2, 0.99);
    }

    [Fact]
    public void Leakage_ActivationsEqualToInputs_IsOne()
    {
        var path = Write("same.npy", Values(10 * 6, seed: 2), 10, 6);

        var run = CliRun.Of("leakage", "--inputs", path, "--activations", path);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("dcor: 1.000000", run.Output);
        Assert.Contains("dcor_unbiased: 1.000000", run.Output);
    }

    [Fact]
    public void Leakage_DifferentSampleCounts_IsAUserError()
    {
        var run = CliRun.Of("leakage", "--inputs", Write("x.npy", Values(10 * 4, 3), 10, 4), "--activations", Write("z.npy", Values(9 * 2, 4), 9, 2));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--inputs holds 10 samples but --activations holds 9", run.Error);
    }

    [Fact]
    public void Leakage_ThreeSamples_IsAUserError()
    {
        var run = CliRun.Of("leakage", "--inputs", Write("x.npy", Values(3 * 4, 5), 3, 4), "--activations", Write("z.npy", Values(3 * 2, 6), 3, 2));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("3 samples are too few", run.Error);
    }

    [Fact]
    public void Leakage_NonFiniteActivation_NamesSampleAndPosition()
    {
        var values = Values(8 * 3, 7);
        values[1 * 3 + 2] = float.PositiveInfinity;

        var run = CliRun.Of("leakage", "--inputs", Write("x.npy", Values(8 * 4, 8), 8, 4), "--activations", Write("z.npy", values, 8, 3));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--activations", run.Error);
        Assert.Contains("sample 1, value 2 (flattened) is Infinity", run.Error);
    }

    [Fact]
    public void Leakage_IntegerFile_IsAUserError()
    {
        var path = Write("ints.npy", Values(8 * 4, 9), 8, 4);
        var bytes = File.ReadAllBytes(path);
        var header = Encoding.Latin1.GetString(bytes, 0, 64).Replace("'<f4'", "'<i4'"); // same length: still a valid file
        Encoding.Latin1.GetBytes(header).CopyTo(bytes, 0);
        File.WriteAllBytes(path, bytes);

        var run = CliRun.Of("leakage", "--inputs", path, "--activations", Write("z.npy", Values(8 * 2, 10), 8, 2));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("dtype '<i4' is not supported", run.Error);
    }

    [Fact]
    public void Leakage_MissingFile_IsAUserError()
    {
        var run = CliRun.Of("leakage", "--inputs", _temp.File("absent.npy"), "--activations", _temp.File("absent.npy"));

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: .npy file not found", run.Error);
    }

    private static float[] Values(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private string Write(string name, float[] values, params int[] shape)
    {
        var path = _temp.File(name);
        NpyWriter.Write(path, values, shape);
        return path;
    }
}
