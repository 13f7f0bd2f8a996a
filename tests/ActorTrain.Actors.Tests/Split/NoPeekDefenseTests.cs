using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Split;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.Split;

public sealed class NoPeekDefenseTests : TestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public NoPeekDefenseTests() : base(TestSpecs.Cluster())
    {
    }

    private static DefendBatch Batch(int n = 32, int dx = 8, int dz = 4)
    {
        var random = new Random(3);
        var x = Enumerable.Range(0, n * dx).Select(_ => (float)random.NextDouble()).ToArray();
        var z = new float[n * dz]; // Z = a nonlinear function of X: strongly dependent
        for (var i = 0; i < n; i++)
            for (var j = 0; j < dz; j++)
                z[i * dz + j] = MathF.Tanh(x[i * dx + j] * 3 - x[i * dx + j + 1]);
        return new DefendBatch(7, x, dx, z, dz);
    }

    [Fact]
    public void Nopeek_AnswersTheActivationsFirst_ThenAlphaTimesTheDcorGradient()
    {
        var batch = Batch();
        var one = Sys.ActorOf(NoPeekDefense.Props("r", "w0", new SplitSpec("act1", Alpha: 1), 1, publish: false));
        var two = Sys.ActorOf(NoPeekDefense.Props("r", "w0", new SplitSpec("act1", Alpha: 2), 1, publish: false));

        one.Tell(batch, TestActor);
        Assert.Equal(batch.Activations, ExpectMsg<ActivationsToSend>(Wait).Activations); // no noise asked: Z as it is
        var g1 = ExpectMsg<DefenseGradient>(Wait);
        two.Tell(batch, TestActor);
        ExpectMsg<ActivationsToSend>(Wait);
        var g2 = ExpectMsg<DefenseGradient>(Wait);

        Assert.Equal(7, g1.Step);
        Assert.InRange(g1.DistanceCorrelation, 0.5, 1.0);
        Assert.Equal(batch.Activations.Length, g1.Gradient.Length);
        Assert.All(g1.Gradient, g => Assert.True(float.IsFinite(g)));
        for (var i = 0; i < g1.Gradient.Length; i++) Assert.Equal(2 * g1.Gradient[i], g2.Gradient[i], 5); // linear in α
        Assert.Contains(g1.Gradient, g => g != 0);
    }

    [Fact]
    public void NoiseOnly_ChangesTheSentActivationsByTheScale_AndSendsNoGradient()
    {
        var batch = Batch(n: 256);
        var defense = Sys.ActorOf(NoPeekDefense.Props("r", "w0", new SplitSpec("act1", Noise: "laplace", NoiseScale: 0.5), 1, publish: false));

        defense.Tell(batch, TestActor);
        var sent = ExpectMsg<ActivationsToSend>(Wait).Activations;
        var gradient = ExpectMsg<DefenseGradient>(Wait);

        Assert.Empty(gradient.Gradient);
        var meanAbsolute = sent.Zip(batch.Activations, (a, b) => Math.Abs(a - b)).Average();
        Assert.InRange(meanAbsolute, 0.45, 0.55); // E|Laplace(b)| = b = 0.5; 1,024 draws: standard error ≈ 0.016
    }
}
