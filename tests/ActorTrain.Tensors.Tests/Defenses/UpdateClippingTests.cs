using ActorTrain.Tensors.Compression;
using ActorTrain.Tensors.Defenses;

namespace ActorTrain.Tensors.Tests.Defenses;

public sealed class UpdateClippingTests
{
    private static double Norm(ReadOnlySpan<float> values)
    {
        double squares = 0;
        foreach (var v in values) squares += (double)v * v;
        return Math.Sqrt(squares);
    }

    [Fact]
    public void Clip_BoundsEveryUpdatesNorm_AndLeavesSmallOnesAlone()
    {
        var random = new Random(11);
        for (var trial = 0; trial < 200; trial++)
        {
            var scale = Math.Pow(10, random.NextDouble() * 8 - 4); // norms from ~1e-4 to ~1e4 × √n
            var update = Enumerable.Range(0, 1 + random.Next(5000)).Select(_ => (float)((random.NextDouble() - 0.5) * scale)).ToArray();
            var before = (float[])update.Clone();
            var norm = UpdateClipping.Clip(update, 1.0);
            Assert.True(Norm(update) <= 1.0, $"trial {trial}: norm {Norm(update)} after clipping to 1");
            if (norm <= 1.0) Assert.Equal(before, update);
            else Assert.True(Norm(update) >= 1.0 - 1e-5, $"trial {trial}: clipped to {Norm(update)}, not to the bound");
        }
    }

    [Fact]
    public void Apply_NoiseHasTheConfiguredScale()
    {
        // A zero update: the output is the noise alone. n = 200,000 draws of N(0, (σC)²) with σC = 0.6:
        // the sample sd has relative standard error 1/√(2n) ≈ 0.16%, so 1% is > 6 standard errors; the mean's
        // standard error is σC/√n ≈ 0.0013, so |mean| ≤ 0.008 is also > 6 of them.
        const double clip = 1.5, sigma = 0.4;
        var update = new float[200_000];
        new UpdateClipping(clip, sigma, seed: 42).Apply(update);
        var mean = update.Average(v => (double)v);
        var sd = Math.Sqrt(update.Average(v => ((double)v - mean) * ((double)v - mean)));
        Assert.InRange(sd, 0.99 * sigma * clip, 1.01 * sigma * clip);
        Assert.InRange(mean, -0.008, 0.008);
        // Gaussian, not just the right variance: the share beyond 2 sd is 4.55% (binomial se 0.047%).
        Assert.InRange(update.Count(v => Math.Abs(v) > 2 * sigma * clip) / 200_000.0, 0.0455 - 0.003, 0.0455 + 0.003);
    }

    [Fact]
    public void Apply_SameSeed_SameNoise_OtherSeed_OtherNoise()
    {
        float[] Noise(int seed)
        {
            var update = new float[100];
            new UpdateClipping(1, 1, seed).Apply(update);
            return update;
        }
        Assert.Equal(Noise(1), Noise(1));
        Assert.NotEqual(Noise(1), Noise(2));
    }

    [Fact]
    public void Pipeline_ClipsBeforeItNoisesAndCompresses()
    {
        var pipeline = new UpdatePipeline(new UpdateTransformOptions(ClipNorm: 0.5, Compression: "topk", Ratio: 0.1), [1000], seed: 1);
        var update = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i)).ToArray();
        var (values, encoded) = pipeline.Apply(update);
        Assert.True(Norm(values) <= 0.5);
        Assert.Equal(UpdateEncoding.Sparse, encoded!.Encoding);
        Assert.Equal(values, UpdateCodec.Decode(encoded));
    }

    [Theory]
    [InlineData(-1, 0, "none", 0.1, false, "clip norm")]
    [InlineData(0, 1, "none", 0.1, false, "noise needs a clip norm")]
    [InlineData(1, 0, "zip", 0.1, false, "unknown compression 'zip'")]
    [InlineData(0, 0, "topk", 0, false, "kept ratio")]
    [InlineData(0, 0, "sign", 0.1, true, "fp16 does not combine")]
    public void Options_BadValues_AreNamed(double clip, double sigma, string compression, double ratio, bool half, string problem) =>
        Assert.Contains(problem, new UpdateTransformOptions(clip, sigma, compression, ratio, half).Problem());
}
