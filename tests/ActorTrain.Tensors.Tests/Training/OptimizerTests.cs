using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Training;

public sealed class OptimizerTests
{
    private static (string, Tensor)[] Parameter(params float[] values) => [("p", tensor(values))];

    private static Dictionary<string, Tensor> Gradient(params float[] values) => new() { ["p"] = tensor(values) };

    private static float[] Values(IEnumerable<(string, Tensor)> parameters) => parameters.Single().Item2.data<float>().ToArray();

    [Fact]
    public void Sgd_OneStep_IsParameterMinusLearningRateTimesGradient()
    {
        var p = Parameter(1f, -2f);
        new SgdOptimizer(learningRate: 0.5, momentum: 0).Step(p, Gradient(0.2f, 4f));
        // 1 - 0.5·0.2 = 0.9; -2 - 0.5·4 = -4. Tolerance 1e-6 (fp32).
        Assert.Equal(0.9f, Values(p)[0], 1e-6f);
        Assert.Equal(-4f, Values(p)[1], 1e-6f);
    }

    [Fact]
    public void Sgd_Momentum_AccumulatesVelocity()
    {
        var p = Parameter(1f);
        var sgd = new SgdOptimizer(learningRate: 0.1, momentum: 0.9);
        sgd.Step(p, Gradient(1f)); // b = 1;            p = 1 - 0.1 = 0.9
        sgd.Step(p, Gradient(2f)); // b = 0.9·1 + 2 = 2.9; p = 0.9 - 0.29 = 0.61
        Assert.Equal(0.61f, Values(p)[0], 1e-6f);
        Assert.Equal(2, sgd.StepCount);
    }

    [Fact]
    public void Sgd_WeightDecay_AddsDecayTimesParameter()
    {
        var p = Parameter(2f);
        new SgdOptimizer(learningRate: 0.1, momentum: 0, weightDecay: 0.5).Step(p, Gradient(1f));
        Assert.Equal(2f - 0.1f * (1f + 0.5f * 2f), Values(p)[0], 1e-6f);
    }

    [Fact]
    public void Adam_TwoSteps_MatchHandComputedUpdate()
    {
        var p = Parameter(1f);
        var adam = new AdamOptimizer(LearningRate: 0.01);
        adam.Step(p, Gradient(0.5f));
        adam.Step(p, Gradient(-1f));

        // By hand in double: β1 = 0.9, β2 = 0.999, ε = 1e-8.
        double x = 1, m = 0, v = 0;
        foreach (var (t, g) in new[] { (1, 0.5), (2, -1.0) })
        {
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            x -= 0.01 * (m / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v / (1 - Math.Pow(0.999, t))) + 1e-8);
        }
        Assert.Equal((float)x, Values(p)[0], 1e-6f);
    }

    [Fact]
    public void Step_GradientShapeMismatch_NamesParameter()
    {
        var error = Assert.Throws<ArgumentException>(() => new SgdOptimizer(0.1).Step(Parameter(1f, 2f), Gradient(1f)));
        Assert.Contains("'p'", error.Message);
    }

    [Fact]
    public void Create_UnknownName_ListsOptimizers()
    {
        Assert.Contains("sgd, adam", Assert.Throws<ArgumentException>(() => Optimizers.Create("lbfgs", 0.1)).Message);
        Assert.Contains("positive", Assert.Throws<ArgumentException>(() => Optimizers.Create("sgd", -1)).Message);
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void ExportThenImport_IntoAFreshOptimizer_ContinuesBitForBit(string name)
    {
        var layout = new ParameterLayout([("a", [3]), ("b", [2, 2])]);
        (string, Tensor)[] Parameters() => [("a", tensor(new float[] { 1, -2, 3 })), ("b", tensor(new float[] { 0.5f, 1, -1, 2 }, [2, 2]))];
        Dictionary<string, Tensor> Gradient(float scale) => new()
        {
            ["a"] = tensor(new float[] { 0.1f, -0.3f, 0.2f }) * scale,
            ["b"] = tensor(new float[] { -0.2f, 0.4f, 0.1f, 0.05f }, [2, 2]) * scale,
        };

        // Reference: three steps with one optimizer.
        var reference = Parameters();
        var whole = Optimizers.Create(name, 0.1);
        foreach (var scale in new[] { 1f, -2f, 0.5f }) whole.Step(reference, Gradient(scale));

        // Same three steps, with the state carried across a fresh optimizer after the second.
        var resumed = Parameters();
        var first = Optimizers.Create(name, 0.1);
        first.Step(resumed, Gradient(1f));
        first.Step(resumed, Gradient(-2f));
        var state = first.ExportState(layout);
        var second = Optimizers.Create(name, 0.1);
        second.ImportState(state, layout);
        second.Step(resumed, Gradient(0.5f));

        Assert.Equal(2, state.Steps);
        Assert.Equal(3, second.StepCount);
        Assert.Equal(layout.Flatten(reference), layout.Flatten(resumed));
    }
}
