using ActorTrain.Tensors.Defenses;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// The inversion tap's attacker (Vepakomma et al., ICDMW 2020, §V, as <see cref="InversionAttack"/>) against a live
/// split run: it holds an auxiliary set (inputs from the training distribution, never test images) and a copy of the
/// client segment. Each time it sees the clients' segment weights it computes Z_aux = client(X_aux), noised as the
/// run's clients noise Z, and trains a fresh decoder on (Z_aux, X_aux). Not thread-safe: one owner.
/// </summary>
public sealed class ClientSegmentInversion : IDisposable
{
    private readonly LayeredModel _whole;
    private readonly LayeredModel _client;
    private readonly (string Name, Tensor Tensor)[] _parameters;
    private readonly ParameterLayout _layout;
    private readonly Tensor _auxiliaryInputs;
    private readonly string _noise;
    private readonly double _noiseScale;
    private readonly Random _random;

    /// <param name="model">The run's model (any seed: the weights are overwritten by <see cref="Train"/>).</param>
    /// <param name="auxiliaryInputs">X_aux as the client sees it (normalised), n first.</param>
    /// <param name="auxiliaryImages">The same samples as pixel intensities in [0, 1]: what the decoder learns to output.</param>
    /// <param name="noise">none | laplace | gaussian: the clients' activation noise, which the attacker knows (the protocol is public).</param>
    public ClientSegmentInversion(LayeredModel model, string cut, Tensor auxiliaryInputs, Tensor auxiliaryImages,
        string noise = "none", double noiseScale = 0, int seed = 1)
    {
        if (auxiliaryInputs.shape[0] != auxiliaryImages.shape[0] || auxiliaryInputs.shape[0] < 1)
            throw new ArgumentException($"The auxiliary inputs ({auxiliaryInputs.shape[0]}) and images ({auxiliaryImages.shape[0]}) must pair n ≥ 1 samples.");
        _whole = model;
        _client = model.Split(cut).Client;
        _parameters = _client.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).ToArray();
        _layout = ParameterLayout.Of(_client);
        _auxiliaryInputs = auxiliaryInputs;
        AuxiliaryImages = auxiliaryImages;
        _noise = noise;
        _noiseScale = noiseScale;
        _random = new Random(seed);
    }

    /// <summary>X_aux in [0, 1]; also what the mean-image baseline averages.</summary>
    public Tensor AuxiliaryImages { get; }

    public int AuxiliarySamples => (int)AuxiliaryImages.shape[0];

    /// <summary>Values in the client segment's flat weight vector (<see cref="ParameterLayout"/> order).</summary>
    public int WeightCount => _layout.TotalLength;

    /// <summary>Loads <paramref name="clientWeights"/> into the client segment and trains a decoder on (client(X_aux) + noise, X_aux).</summary>
    public InversionDecoder Train(ReadOnlySpan<float> clientWeights, InversionOptions options)
    {
        _layout.CopyInto(_parameters, clientWeights);
        var z0 = ActivationNoise.Apply(Encode(), _noise, _noiseScale, _random);
        using var z = tensor(z0, [AuxiliarySamples, z0.Length / AuxiliarySamples]);
        return InversionAttack.Train(z, AuxiliaryImages, options);
    }

    /// <summary>The auxiliary set's mean image, 1 × the sample shape: the guess of an attacker without activations.</summary>
    public Tensor MeanImage() => AuxiliaryImages.mean([0], keepdim: true);

    /// <summary>Scores an attacked batch: its reconstructions and the mean-image baseline, both against the true images.</summary>
    public (InversionScore Attack, InversionScore Baseline) Score(Tensor reconstructions, Tensor images) =>
        (InversionAttack.Score(reconstructions, images), InversionAttack.MeanImageBaseline(AuxiliaryImages, images));

    private float[] Encode()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _client.eval();
        var z = _client.forward(_auxiliaryInputs);
        return z.reshape(z.shape[0], -1).data<float>().ToArray();
    }

    public void Dispose()
    {
        _whole.Dispose();
        _auxiliaryInputs.Dispose();
        AuxiliaryImages.Dispose();
    }
}
