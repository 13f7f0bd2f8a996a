using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// The inversion attacker's trained decoder: standardise the flattened activation with the auxiliary set's per-feature
/// mean and standard deviation, then an MLP ending in a sigmoid, so every output pixel lies in (0, 1).
/// Made by <see cref="InversionAttack.Train"/>.
/// </summary>
public sealed class InversionDecoder : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _network;
    private readonly Tensor _mean;
    private readonly Tensor _scale;

    internal InversionDecoder(nn.Module<Tensor, Tensor> network, Tensor mean, Tensor scale, long[] sampleShape)
    {
        _network = network;
        _mean = mean;
        _scale = scale;
        SampleShape = sampleShape;
    }

    /// <summary>Shape of one reconstructed sample: the shape of one auxiliary input, e.g. [1, 28, 28].</summary>
    public long[] SampleShape { get; }

    /// <summary>Activation values per sample the decoder was trained on.</summary>
    public long ActivationSize => _mean.shape[0];

    /// <summary>Reconstructions of the inputs behind <paramref name="activations"/> (n first, any rank), shaped n × <see cref="SampleShape"/>.</summary>
    public Tensor Reconstruct(Tensor activations)
    {
        var n = activations.shape[0];
        if (activations.numel() != n * ActivationSize)
            throw new ArgumentException($"The decoder was trained on activations of {ActivationSize} values per sample; got {string.Join(" × ", activations.shape)}.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        _network.eval();
        return _network.forward(Standardise(activations)).reshape([n, .. SampleShape]).MoveToOuterDisposeScope();
    }

    internal nn.Module<Tensor, Tensor> Network => _network;

    internal Tensor Standardise(Tensor activations) =>
        (activations.reshape(activations.shape[0], -1).to_type(ScalarType.Float32) - _mean) / _scale;

    public void Dispose()
    {
        _network.Dispose();
        _mean.Dispose();
        _scale.Dispose();
    }
}
