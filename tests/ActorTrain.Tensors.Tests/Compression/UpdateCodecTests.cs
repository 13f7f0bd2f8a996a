using ActorTrain.Tensors.Compression;

namespace ActorTrain.Tensors.Tests.Compression;

public sealed class UpdateCodecTests
{
    private static float[] RandomUpdate(int n, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    [Theory]
    [InlineData(1000, 0.1)]
    [InlineData(10_007, 0.01)]
    [InlineData(50, 1.0)]
    public void TopK_PayloadDecodesToExactlyTheKeptEntries(int n, double ratio)
    {
        var update = RandomUpdate(n, n);
        var kept = new float[n];
        new TopK(ratio).Compress(update, kept);
        var encoded = UpdateCodec.Encode(kept, UpdateEncoding.Sparse);
        var decoded = UpdateCodec.Decode(encoded);

        // Independent: sort indices by magnitude (distinct with probability 1 here).
        var k = (int)Math.Ceiling(ratio * n);
        var largest = Enumerable.Range(0, n).OrderByDescending(i => Math.Abs(update[i])).Take(k).ToHashSet();
        for (var i = 0; i < n; i++) Assert.Equal(largest.Contains(i) ? update[i] : 0f, decoded[i]);
        Assert.Equal(4 + 8L * k, encoded.ByteCount);
        Assert.True(encoded.ByteCount < 4L * n || ratio == 1);
    }

    [Fact]
    public void TopK_Ties_KeepsExactlyK()
    {
        var kept = new float[10];
        new TopK(0.3).Compress([1, 1, 1, 1, 1, 0.5f, 0.5f, 2, 1, 1], kept);
        // The largest (2 at index 7), then the first two of the tied 1s in index order.
        Assert.Equal([1f, 1, 0, 0, 0, 0, 0, 2, 0, 0], kept);
    }

    [Fact]
    public void GaussianK_OnGaussianData_KeepsAboutKOfTheLargest()
    {
        var random = new Random(3);
        var n = 100_000;
        var update = Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()))).ToArray();
        var kept = new float[n];
        new GaussianK(0.01).Compress(update, kept);
        var count = kept.Count(v => v != 0);
        // k = 1,000; on exactly Gaussian data the count is Binomial(n, 0.01): sd ≈ 31, so ±15% is > 4 sd.
        Assert.InRange(count, 850, 1150);
        var smallestKept = Enumerable.Range(0, n).Where(i => kept[i] != 0).Min(i => Math.Abs(update[i]));
        var largestDropped = Enumerable.Range(0, n).Where(i => kept[i] == 0).Max(i => Math.Abs(update[i]));
        Assert.True(smallestKept >= largestDropped - 0.02, $"kept {smallestKept} < dropped {largestDropped}"); // the threshold is on |x − mean|, mean ≈ 0.003
    }

    [Fact]
    public void Sign_RoundTripsExactly_OneBitPerEntryPlusAScalePerTensor()
    {
        int[] segments = [17, 100, 3];
        var update = RandomUpdate(120, 5);
        var signed = new float[120];
        new SignCompression(segments).Compress(update, signed);
        var encoded = UpdateCodec.Encode(signed, UpdateEncoding.Sign, segments);
        Assert.Equal(4 + 3 + 4 + 13 + 4 + 1, encoded.ByteCount);
        Assert.Equal(signed, UpdateCodec.Decode(encoded, segments));
        var start = 0;
        foreach (var length in segments)
        {
            var scale = update.Skip(start).Take(length).Average(v => Math.Abs((double)v));
            for (var i = start; i < start + length; i++) Assert.Equal(Math.Sign(update[i]) * scale, signed[i], 1e-6);
            start += length;
        }
    }

    [Fact]
    public void Half_RoundTripsTheRoundedValues_TwoBytesEach()
    {
        var update = RandomUpdate(333, 9).Select(v => v * 1e5f).ToArray();
        var rounded = new float[333];
        new HalfRounding().Compress(update, rounded);
        var encoded = UpdateCodec.Encode(rounded, UpdateEncoding.Half);
        Assert.Equal(666, encoded.ByteCount);
        Assert.Equal(rounded, UpdateCodec.Decode(encoded));
        Assert.All(rounded, v => Assert.True(float.IsFinite(v) && Math.Abs(v) <= 65504f));
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 0, 0, 128, 63, 0, 0, 128, 63 }, "out of order")]
    [InlineData(new byte[] { 1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 128, 63 }, "outside")]
    [InlineData(new byte[] { 9, 0, 0, 0 }, "claims 9")]
    public void Decode_CorruptSparsePayload_IsRefused(byte[] payload, string problem)
    {
        var error = Assert.Throws<InvalidDataException>(() => UpdateCodec.Decode(new CompressedUpdate(UpdateEncoding.Sparse, 10, payload)));
        Assert.Contains(problem, error.Message);
    }
}
