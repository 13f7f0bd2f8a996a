using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class GlopSeparabilityTests
{
    /// <summary>
    /// A real projection-layer gradient (Fashion-MNIST MLP at batch 4, diverging at lr 0.05: saturated softmax, 21 live
    /// features, near-duplicate class points) on which GLOP answered INFEASIBLE for class 3 (and ABNORMAL without
    /// presolve), although the LP is always feasible. With the CLP fallback both methods agree on 0, 1 and 8.
    /// </summary>
    [Theory]
    [InlineData(RlgMethod.Fast)]
    [InlineData(RlgMethod.ExactLp)]
    public void RevealLabels_LpThatGlopMisjudges_FallsBackAndAnswers(RlgMethod method)
    {
        var update = NpyReader.Read(Path.Combine(AppContext.BaseDirectory, "Attacks", "Fixtures", "saturated-softmax-10x128.npy"));

        var result = RlgAttack.RevealLabels(update.Values, update.Rows, update.Columns, MatrixOrientation.ClassesByFeatures, 4,
            options: new RlgOptions { Method = method });

        Assert.Equal([0, 1, 8], result.Labels);
    }
}
