using ActorTrain.Tensors.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// A projection layer's update built from the softmax cross-entropy formula, for testing and benchmarking the
/// label-revelation attack without training a network. Features h_i = ReLU(N(0, I_d)); logits z_i = W h_i + b with
/// W ~ N(0, <see cref="LogitScale"/>²/d) and b ~ N(0, 0.1²); labels uniform with replacement (so duplicates occur);
/// per-sample logit gradient g_i = softmax(z_i) − e_{y_i}; mean-loss gradients ∇W = (1/N) Σ_i g_i h_iᵀ and
/// ∇b = (1/N) Σ_i g_i. With <see cref="Steps"/> = K &gt; 1, K fresh batches are taken with a plain SGD step
/// (<see cref="LearningRate"/>) between them, and the update is (W_0 − W_K)/lr = Σ_k ∇W_k, as a worker doing K local
/// steps would send.
/// </summary>
/// <param name="Classes">C, rows of W.</param>
/// <param name="Features">d, columns of W.</param>
/// <param name="BatchSize">N, samples per step.</param>
/// <param name="Steps">K local steps; the attack sees S = K·N samples.</param>
/// <param name="LogitScale">Standard deviation of the logits' random part; about 1 is an untrained model.</param>
/// <param name="LearningRate">SGD step between local steps (only used when <see cref="Steps"/> &gt; 1).</param>
/// <param name="Seed">Same seed, same update, on any machine (SplitMix64; no framework RNG).</param>
public sealed record SyntheticProjectionGradient(
    int Classes,
    int Features,
    int BatchSize,
    int Steps = 1,
    double LogitScale = 1.0,
    double LearningRate = 0.1,
    int Seed = 1)
{
    public ProjectionGradientSample Generate()
    {
        if (Classes < 2 || Features < 1 || BatchSize < 1 || Steps < 1)
            throw new ArgumentException($"Synthetic projection gradient: need classes ≥ 2 and features, batch size, steps ≥ 1; got C={Classes}, d={Features}, N={BatchSize}, K={Steps}.");
        var random = new SplitMix64((ulong)Seed);
        using var scope = NewDisposeScope();
        var weight = Gaussian(random, Classes * Features, LogitScale / Math.Sqrt(Features)).reshape(Classes, Features);
        var bias = Gaussian(random, Classes, 0.1);
        var updateSum = zeros(Classes, Features, float64);
        var biasSum = zeros(Classes, float64);
        var labels = new int[Steps * BatchSize];
        // Explicit Scalars held for the whole loop (docs/cluster.md, "Scalar lifetime").
        using var one = 1.0.ToScalar();
        using var perSample = (1.0 / BatchSize).ToScalar();
        using var minusOne = (-1.0).ToScalar();
        using var descent = (-LearningRate).ToScalar();
        for (var step = 0; step < Steps; step++)
        {
            var features = Gaussian(random, BatchSize * Features, 1.0).reshape(BatchSize, Features).relu();
            var batchLabels = new long[BatchSize];
            for (var i = 0; i < BatchSize; i++)
                labels[step * BatchSize + i] = (int)(batchLabels[i] = (long)random.NextBelow((ulong)Classes));
            // g_i = softmax(z_i) − e_{y_i}, one row per sample (N × C).
            var logitGradient = features.matmul(weight.T).add(bias, one).softmax(1)
                .add(nn.functional.one_hot(tensor(batchLabels), Classes).to_type(float64), minusOne);
            var weightGradient = logitGradient.T.matmul(features).mul(perSample);
            var biasGradient = logitGradient.mean([0]);
            updateSum.add_(weightGradient, one);
            biasSum.add_(biasGradient, one);
            weight.add_(weightGradient, descent);
            bias.add_(biasGradient, descent);
        }
        var counts = new int[Classes];
        foreach (var label in labels) counts[label]++;
        return new ProjectionGradientSample(
            updateSum.to_type(float32).data<float>().ToArray(),
            biasSum.div(Steps).to_type(float32).data<float>().ToArray(),
            labels, counts, Classes, Features);
    }

    private static Tensor Gaussian(SplitMix64 random, int count, double deviation)
    {
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = deviation * random.NextGaussian();
        return tensor(values);
    }
}

/// <summary>A synthetic projection-layer update and the truth behind it.</summary>
/// <param name="Update">Σ over steps of ∇W, C × d row-major (classes by features).</param>
/// <param name="BiasGradient">∇b averaged over all S = K·N samples: (1/S) Σ_i g_i; length C.</param>
/// <param name="Labels">The S labels, in sample order.</param>
/// <param name="Counts">How many of the S samples have each class; length C.</param>
public sealed record ProjectionGradientSample(float[] Update, float[] BiasGradient, int[] Labels, int[] Counts, int Classes, int Features)
{
    /// <summary>Distinct labels, ascending.</summary>
    public int[] LabelSet => Labels.Distinct().Order().ToArray();

    public int Samples => Labels.Length;

    /// <summary>The update laid out d × C (features by classes), as Keras-style kernels store it.</summary>
    public float[] TransposedUpdate()
    {
        var transposed = new float[Update.Length];
        for (var c = 0; c < Classes; c++)
            for (var k = 0; k < Features; k++) transposed[k * Classes + c] = Update[c * Features + k];
        return transposed;
    }
}
