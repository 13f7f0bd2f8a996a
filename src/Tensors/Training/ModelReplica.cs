using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>The result of a worker's computation, flat in layout order.</summary>
/// <param name="Values">A gradient (mean over the batch) or a weight delta (after local steps).</param>
/// <param name="Loss">Mean training loss over the samples used.</param>
/// <param name="Labels">The true labels of the samples used (for evaluation streams; attacks never read them).</param>
/// <param name="Inputs">The batch's inputs, [samples, ...sample shape] row-major, when asked for (evaluation streams only).</param>
public sealed record ReplicaUpdate(float[] Values, int Samples, double Loss, long[] Labels, float[]? Inputs = null);

/// <summary>
/// A worker's numerics: a replica of the model on the worker's device and the worker's shard of the training
/// data. It loads weights it is given, then computes a gradient on its next batch or takes local steps.
/// Not thread-safe: one owner (the worker actor).
/// </summary>
public sealed class ModelReplica : IDisposable
{
    private readonly LayeredModel _model;
    private readonly LabeledDataset _train;
    private readonly Device _device;
    private readonly (string Name, Tensor Tensor)[] _parameters;
    private readonly ulong _seed;
    private IEnumerator<int[]>? _batches;
    private int _batchSize;

    public ModelReplica(LayeredModel model, LabeledDataset train, Device device, ulong seed)
    {
        _model = model.to(device);
        _train = train;
        _device = device;
        _seed = seed;
        _parameters = _model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        Layout = ParameterLayout.Of(_model);
    }

    public ParameterLayout Layout { get; }

    /// <summary>Sample indices this replica draws from.</summary>
    public IReadOnlyList<int> Shard { get; private set; } = [];

    /// <summary>Takes a new shard and per-replica batch size; batches restart from a fresh seeded epoch.</summary>
    public void Assign(IReadOnlyList<int> shard, int batchSize)
    {
        if (shard.Count == 0) throw new ArgumentException("A replica needs a non-empty shard.");
        Shard = shard;
        _batchSize = batchSize;
        _batches?.Dispose();
        _batches = new BatchSampler(shard.ToArray(), batchSize, _seed).Forever().GetEnumerator();
    }

    public void LoadWeights(ReadOnlySpan<float> flat) => Layout.CopyInto(_parameters, flat);

    /// <summary>The mean gradient over the next batch of the shard.</summary>
    /// <param name="into">Buffer for the result (e.g. from a <see cref="BufferRing"/>), or null for a new array.</param>
    /// <param name="withInputs">Also return the batch's inputs (a run that records them for evaluation).</param>
    public ReplicaUpdate Gradient(float[]? into = null, bool withInputs = false)
    {
        var (inputs, labels) = NextBatch();
        using (inputs)
        using (labels)
        {
            var loss = GradientStep.Backward(_model, inputs, labels);
            var flat = into ?? GC.AllocateUninitializedArray<float>(Layout.TotalLength);
            using (NewDisposeScope())
                Layout.FlattenInto(GradientStep.Gradients(_model), flat); // straight from .grad: no intermediate copies
            _model.zero_grad();
            float[]? raw = null;
            if (withInputs)
                using (NewDisposeScope())
                    raw = inputs.cpu().to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            return new ReplicaUpdate(flat, (int)labels.shape[0], loss, labels.cpu().data<long>().ToArray(), raw);
        }
    }

    /// <summary>
    /// <paramref name="steps"/> local optimizer steps from the loaded weights; returns final − initial weights.
    /// </summary>
    public ReplicaUpdate LocalSteps(int steps, IGradientOptimizer optimizer)
    {
        var initial = Layout.Flatten(_parameters);
        double lossSum = 0;
        var samples = 0;
        var used = new List<long>();
        for (var s = 0; s < steps; s++)
        {
            using var gradients = NextBatchGradients();
            optimizer.Step(_parameters, gradients.Gradients);
            lossSum += gradients.Loss * gradients.BatchSize;
            samples += gradients.BatchSize;
            used.AddRange(gradients.Labels);
        }
        var delta = Layout.Flatten(_parameters);
        WeightedSum.AddScaled(initial, -1f, delta);
        return new ReplicaUpdate(delta, samples, lossSum / samples, used.ToArray());
    }

    private BatchGradients NextBatchGradients()
    {
        var (inputs, labels) = NextBatch();
        using (inputs)
        using (labels)
            return GradientStep.Compute(_model, inputs, labels);
    }

    private (Tensor Inputs, Tensor Labels) NextBatch()
    {
        if (_batches is null) throw new InvalidOperationException("No shard assigned yet.");
        _batches.MoveNext();
        return _train.Batch(_batches.Current, _device);
    }

    public void Dispose()
    {
        _batches?.Dispose();
        _model.Dispose();
    }
}
