using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Training;

/// <summary>
/// The parameter server's numerics: the model's weights, an optimizer, and the operations the aggregation modes
/// need (apply an averaged gradient, add an averaged weight delta, publish a flat copy, evaluate). Not thread-safe:
/// one owner (the parameter-server actor).
/// </summary>
public sealed class ParameterStore : IDisposable
{
    private readonly LayeredModel _model;
    private readonly (string Name, Tensor Tensor)[] _parameters;
    private readonly IGradientOptimizer _optimizer;
    private readonly Dictionary<string, Tensor> _gradients;
    private readonly (string Name, Tensor Tensor)[] _gradientList;

    public ParameterStore(LayeredModel model, IGradientOptimizer optimizer)
    {
        _model = model;
        _optimizer = optimizer;
        _parameters = model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        Layout = ParameterLayout.Of(model);
        // Gradient buffers live as long as the store: a step copies into them instead of allocating tensors.
        _gradients = _parameters.ToDictionary(p => p.Name, p => zeros_like(p.Tensor), StringComparer.Ordinal);
        _gradientList = _gradients.Select(g => (g.Key, g.Value)).ToArray();
    }

    public ParameterLayout Layout { get; }

    /// <summary>The model's projection (last linear) layer name.</summary>
    public string? ProjectionLayer => _model.ProjectionLayer;

    /// <summary>Optimizer steps applied so far.</summary>
    public int Steps => _optimizer.StepCount;

    /// <summary>A new flat copy of the current weights (safe to hand to other threads).</summary>
    public float[] Weights() => Layout.Flatten(_parameters);

    /// <summary>The current weights copied into <paramref name="destination"/>.</summary>
    public float[] WeightsInto(float[] destination)
    {
        Layout.FlattenInto(_parameters, destination);
        return destination;
    }

    public OptimizerState OptimizerState() => _optimizer.ExportState(Layout);

    public void RestoreOptimizer(OptimizerState state) => _optimizer.ImportState(state, Layout);

    /// <summary>Replaces the weights (e.g. from a snapshot).</summary>
    public void SetWeights(ReadOnlySpan<float> flat) => Layout.CopyInto(_parameters, flat);

    /// <summary>One optimizer step with a flat gradient in layout order.</summary>
    public void ApplyGradient(float[] flatGradient)
    {
        Layout.CopyInto(_gradientList, flatGradient);
        _optimizer.Step(_parameters, _gradients);
    }

    /// <summary>weights += delta (FedAvg's server step with server learning rate 1).</summary>
    public void AddDelta(float[] flatDelta)
    {
        var weights = Weights();
        WeightedSum.AddScaled(flatDelta, 1f, weights);
        SetWeights(weights);
    }

    public double Accuracy(LabeledDataset test) => Evaluation.Accuracy(_model, test, CPU);

    public void Dispose()
    {
        foreach (var g in _gradients.Values) g.Dispose();
        _model.Dispose();
    }
}
