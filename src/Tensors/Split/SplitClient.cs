using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Split;

/// <summary>One client batch in flight: what is sent (activations, labels) and what stays (the inputs).</summary>
/// <param name="Inputs">The raw inputs, flattened n × d_x: they never leave the client's node (the defense reads them).</param>
/// <param name="Activations">Z = client(X), n × d_z, before any noise.</param>
public sealed record ClientBatch(long Step, float[] Inputs, int InputWidth, float[] Activations, int ActivationWidth, long[] Labels)
{
    public int Samples => Labels.Length;
}

/// <summary>
/// The client side of split learning: the model's layers up to the cut, its optimizer and its shard of the data.
/// <see cref="Forward"/> runs the client segment on the next batch and keeps the graph; <see cref="Backward"/> takes
/// ∂L/∂Z (the server's gradient, plus any defense gradient) and finishes backpropagation and the optimizer step.
/// Not thread-safe: one owner.
/// </summary>
public sealed class SplitClient : IDisposable
{
    private readonly LayeredModel _whole;
    private readonly LayeredModel _client;
    private readonly LabeledDataset _train;
    private readonly Device _device;
    private readonly IGradientOptimizer _optimizer;
    private readonly (string Name, Tensor Tensor)[] _parameters;
    private readonly ulong _seed;
    private IEnumerator<int[]>? _batches;
    private Tensor? _pending;
    private long _step;

    /// <param name="model">The whole model (seeded like the server's); the client keeps the layers up to <paramref name="cut"/>.</param>
    public SplitClient(LayeredModel model, string cut, LabeledDataset train, Device device, IGradientOptimizer optimizer, ulong seed)
    {
        _whole = model.to(device);
        _client = _whole.Split(cut).Client;
        _train = train;
        _device = device;
        _optimizer = optimizer;
        _seed = seed;
        _parameters = _client.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        Layout = ParameterLayout.Of(_client);
    }

    /// <summary>The client segment's parameters (what SplitFed averages, and what evaluation borrows).</summary>
    public ParameterLayout Layout { get; }

    /// <value>Samples of the batches backpropagated so far (SplitFed weighs each client's segment by them).</value>
    public long SamplesTrained { get; private set; }

    public float[] Weights() => Layout.Flatten(_parameters);

    /// <summary>
    /// Replaces the client segment's weights (SplitFed's average, flat in <see cref="Layout"/>'s order). The optimizer's
    /// state (SGD momentum, Adam's moments and step count) is kept on purpose: it is a running estimate of the
    /// descent direction on the same task, and resetting it every H steps would restart momentum's warm-up
    /// (1/(1−μ) steps, 10 at μ = 0.9) each round. Only between batches: not while one is in flight.
    /// </summary>
    public void SetWeights(ReadOnlySpan<float> weights)
    {
        if (_pending is not null) throw new InvalidOperationException("A batch is in flight: set the weights after its Backward.");
        for (var i = 0; i < weights.Length; i++)
            if (!float.IsFinite(weights[i]))
                throw new NonFiniteValueException($"Segment weight {i} is {weights[i]}.");
        Layout.CopyInto(_parameters, weights);
    }

    public void Assign(IReadOnlyList<int> shard, int batchSize)
    {
        if (shard.Count == 0) throw new ArgumentException("A split client needs a non-empty shard.");
        _batches?.Dispose();
        _batches = new BatchSampler(shard.ToArray(), batchSize, _seed).Forever().GetEnumerator();
    }

    /// <summary>Z = client(X) on the next batch; the graph is kept until <see cref="Backward"/>.</summary>
    public ClientBatch Forward()
    {
        if (_batches is null) throw new InvalidOperationException("No shard assigned yet.");
        if (_pending is not null) throw new InvalidOperationException("The previous batch has not been backpropagated yet.");
        _batches.MoveNext();
        var (inputs, labels) = _train.Batch(_batches.Current, _device);
        using (inputs)
        using (labels)
        {
            _client.train();
            _client.zero_grad();
            var activations = _client.forward(inputs);
            _pending = activations.reshape(activations.shape[0], -1);
            var n = (int)inputs.shape[0];
            var x = inputs.reshape(n, -1).cpu().data<float>().ToArray();
            var z = _pending.detach().cpu().data<float>().ToArray();
            if (!ReferenceEquals(activations, _pending)) activations.Dispose();
            return new ClientBatch(_step++, x, x.Length / n, z, z.Length / n, labels.cpu().data<long>().ToArray());
        }
    }

    /// <summary>Backpropagates ∂L/∂Z (n × d_z, flat) through the client segment and takes an optimizer step.</summary>
    public void Backward(ReadOnlySpan<float> activationGradient)
    {
        var pending = _pending ?? throw new InvalidOperationException("No batch in flight: call Forward first.");
        if (activationGradient.Length != pending.NumberOfElements)
            throw new ArgumentException($"The activation gradient has {activationGradient.Length} values; the activations have {pending.NumberOfElements}.");
        for (var i = 0; i < activationGradient.Length; i++)
            if (!float.IsFinite(activationGradient[i]))
                throw new NonFiniteValueException($"The activation gradient holds {activationGradient[i]} at {i}.");
        using (var scope = NewDisposeScope())
        {
            var gradient = tensor(activationGradient.ToArray(), pending.shape).to(_device);
            pending.backward([gradient]);
            var gradients = GradientStep.Gradients(_client).ToDictionary(g => g.Name, g => g.Gradient, StringComparer.Ordinal);
            _optimizer.Step(_parameters, gradients);
        }
        _client.zero_grad();
        SamplesTrained += pending.shape[0];
        pending.Dispose();
        _pending = null;
    }

    /// <summary>Z = client(X) for any inputs, without a graph (evaluation, attacks): n × d_z, flat.</summary>
    public float[] Encode(Tensor inputs)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _client.eval();
        var z = _client.forward(inputs.to(_device));
        return z.reshape(z.shape[0], -1).cpu().data<float>().ToArray();
    }

    /// <summary>Drops the batch in flight (its server never answered); the next <see cref="Forward"/> starts afresh.</summary>
    public void Abandon()
    {
        _pending?.Dispose();
        _pending = null;
        _client.zero_grad();
    }

    public void Dispose()
    {
        _pending?.Dispose();
        _batches?.Dispose();
        _whole.Dispose();
    }
}
