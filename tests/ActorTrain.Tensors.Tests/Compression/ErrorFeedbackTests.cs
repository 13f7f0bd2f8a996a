using ActorTrain.Tensors.Compression;

namespace ActorTrain.Tensors.Tests.Compression;

public sealed class ErrorFeedbackTests
{
    public static TheoryData<string> Compressors => new() { "topk", "gaussiank", "sign", "fp16", "topk+fp16" };

    private static IUpdateCompressor Make(string name, int[] segments) => name switch
    {
        "topk" => new TopK(0.05),
        "gaussiank" => new GaussianK(0.05),
        "sign" => new SignCompression(segments),
        "fp16" => new HalfRounding(),
        "topk+fp16" => new HalfRounding(new TopK(0.05)),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Compressors))]
    public void Apply_SentPlusResidual_EqualsSumOfUpdates(string name)
    {
        int[] segments = [600, 300, 100];
        var feedback = new ErrorFeedback(Make(name, segments), 1000);
        var random = new Random(7);
        var updates = new double[1000];
        var sent = new double[1000];
        for (var t = 0; t < 60; t++)
        {
            var g = Enumerable.Range(0, 1000).Select(i => (float)((random.NextDouble() - 0.5) * (1 + i % 7))).ToArray();
            var s = feedback.Apply(g);
            for (var i = 0; i < 1000; i++) (updates[i], sent[i]) = (updates[i] + g[i], sent[i] + s[i]);
        }
        // Each step adds at most a few float32 roundings of values ≤ 8 (≈ 5e-7 each); 60 steps: ≤ 1e-4.
        for (var i = 0; i < 1000; i++)
            Assert.True(Math.Abs(sent[i] + feedback.Residual[i] - updates[i]) <= 1e-4, $"{name}, entry {i}: sent {sent[i]} + residual {feedback.Residual[i]} ≠ {updates[i]}");
    }

    [Fact]
    public void Apply_TopK_SendsEveryEntryLater()
    {
        // A constant update: top-1% sends 10 of 1,000 entries a step; the residual of the others grows until they win.
        var feedback = new ErrorFeedback(new TopK(0.01), 1000);
        var update = Enumerable.Range(0, 1000).Select(i => 1f + i / 1000f).ToArray();
        var everSent = new bool[1000];
        for (var t = 0; t < 400; t++)
        {
            var s = feedback.Apply(update);
            Assert.Equal(10, s.Count(v => v != 0));
            for (var i = 0; i < 1000; i++) everSent[i] |= s[i] != 0;
        }
        Assert.All(everSent, Assert.True);
    }

    [Fact]
    public void Apply_WithoutFeedback_WouldLoseTheSmallEntries()
    {
        // The control for the test above: plain top-k of the same constant update never sends the small entries.
        var update = Enumerable.Range(0, 1000).Select(i => 1f + i / 1000f).ToArray();
        var sent = new float[1000];
        new TopK(0.01).Compress(update, sent);
        Assert.Equal(Enumerable.Range(990, 10), Enumerable.Range(0, 1000).Where(i => sent[i] != 0));
    }
}
