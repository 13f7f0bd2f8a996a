using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Models;

/// <summary>
/// A model made of named layers applied in order. Parameter names are "layer.parameter" (e.g. "projection.weight"),
/// the same on every node, so updates can be flattened and restored by name.
/// It names its projection (last linear) layer, which the label-revelation attacks read, and the cut points after
/// which it can be split into a client segment and a server segment for split learning.
/// </summary>
public sealed class LayeredModel : nn.Module<Tensor, Tensor>
{
    private readonly (string Name, nn.Module<Tensor, Tensor> Layer)[] _layers;

    public LayeredModel(
        string name,
        IReadOnlyList<(string Name, nn.Module<Tensor, Tensor> Layer)> layers,
        string? projectionLayer,
        IReadOnlyList<string> cutPoints)
        : base(name)
    {
        if (layers.Count == 0) throw new ArgumentException("A model needs at least one layer.", nameof(layers));
        _layers = layers.ToArray();
        var names = _layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if (names.Count != _layers.Length) throw new ArgumentException("Layer names must be distinct.", nameof(layers));
        if (projectionLayer is not null && !names.Contains(projectionLayer))
            throw new ArgumentException($"Projection layer '{projectionLayer}' is not one of the layers.", nameof(projectionLayer));
        var unknownCut = cutPoints.FirstOrDefault(c => !names.Contains(c) || c == _layers[^1].Name);
        if (unknownCut is not null)
            throw new ArgumentException($"Cut point '{unknownCut}' must name a layer other than the last.", nameof(cutPoints));

        ProjectionLayer = projectionLayer;
        CutPoints = cutPoints.ToArray();
        foreach (var (layerName, layer) in _layers) register_module(layerName, layer);
    }

    /// <summary>Name of the last linear layer (its weight is C × d), or null for a segment without it.</summary>
    public string? ProjectionLayer { get; }

    /// <summary>Layers after which the model can be split; see <see cref="Split"/>.</summary>
    public IReadOnlyList<string> CutPoints { get; }

    public IReadOnlyList<string> LayerNames => _layers.Select(l => l.Name).ToArray();

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var (_, layer) in _layers)
        {
            var next = layer.forward(x);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return x;
    }

    /// <summary>
    /// The client segment (layers up to and including <paramref name="cut"/>) and the server segment (the rest).
    /// Both share this model's layer objects, so training either trains this model.
    /// </summary>
    public (LayeredModel Client, LayeredModel Server) Split(string cut)
    {
        if (!CutPoints.Contains(cut))
            throw new ArgumentException($"'{cut}' is not a cut point of this model; choose one of: {string.Join(", ", CutPoints)}.", nameof(cut));
        var at = Array.FindIndex(_layers, l => l.Name == cut) + 1;
        var clientCuts = CutPoints.Where(c => Array.FindIndex(_layers, l => l.Name == c) < at - 1).ToArray();
        var serverCuts = CutPoints.Where(c => Array.FindIndex(_layers, l => l.Name == c) >= at).ToArray();
        var projectionOnServer = ProjectionLayer is not null && Array.FindIndex(_layers, l => l.Name == ProjectionLayer) >= at;
        return (
            new LayeredModel($"{GetName()}-client", _layers[..at], projectionOnServer ? null : ProjectionLayer, clientCuts),
            new LayeredModel($"{GetName()}-server", _layers[at..], projectionOnServer ? ProjectionLayer : null, serverCuts));
    }
}
