using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// Model inversion of split-learning activations, the leakage attack of the NoPeek evaluation (Vepakomma et al.,
/// ICDMW 2020, §V): an honest-but-curious server, or an eavesdropper, holds an auxiliary set of (activation, input)
/// pairs from the same distribution (e.g. a slice of the training set it obtained), trains a decoder with MSE on
/// them, and applies it to activations it sees later. Measured on held-out pairs: MSE, PSNR and SSIM
/// (<see cref="ImageSimilarity"/>), beside the mean-image baseline an attacker gets without activations.
/// </summary>
public static class InversionAttack
{
    /// <summary>Trains a decoder on the attacker's auxiliary pairs with Adam on the pixel MSE, deterministically from <see cref="InversionOptions.Seed"/>.</summary>
    /// <param name="activations">Z, n first, any rank (flattened per sample).</param>
    /// <param name="inputs">X, the images behind Z, n first, pixel intensities in [0, 1].</param>
    public static InversionDecoder Train(Tensor activations, Tensor inputs, InversionOptions options)
    {
        var n = CheckPairs(activations, inputs);
        if (options.Epochs < 1 || options.BatchSize < 1 || options.LearningRate <= 0 || options.HiddenWidths.Any(w => w < 1))
            throw new ArgumentException($"Inversion options need epochs, batch size, hidden widths ≥ 1 and a positive learning rate: {options}.");
        using var z = activations.detach().reshape(n, -1).to_type(ScalarType.Float32);
        using var x = inputs.detach().reshape(n, -1).to_type(ScalarType.Float32);
        var mean = z.mean([0]).DetachFromDisposeScope();
        var scale = z.std([0], unbiased: false).clamp_min(1e-6).DetachFromDisposeScope();

        var decoder = SeededConstruction.Build(options.Seed, () =>
        {
            var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
            var width = z.shape[1];
            for (var i = 0; i < options.HiddenWidths.Length; i++)
            {
                layers.Add(($"hidden{i + 1}", nn.Linear(width, options.HiddenWidths[i])));
                layers.Add(($"act{i + 1}", nn.ReLU()));
                width = options.HiddenWidths[i];
            }
            layers.Add(("output", nn.Linear(width, x.shape[1])));
            layers.Add(("sigmoid", nn.Sigmoid()));
            return new InversionDecoder(nn.Sequential(layers), mean, scale, inputs.shape[1..]);
        });

        using var standardised = decoder.Standardise(z);
        // Our Adam, not torch.optim.Adam: TorchSharp's makes implicit Scalars in its step, which a garbage collection can
        // free during the native call that reads them (docs/cluster.md, "Scalar lifetime"; seen failing this training in CI).
        var optimizer = new AdamOptimizer(options.LearningRate);
        var parameters = decoder.Network.named_parameters().Select(p => (Name: p.name, Parameter: (Tensor)p.parameter)).ToList();
        var sampler = new BatchSampler(Enumerable.Range(0, n).ToArray(), options.BatchSize, (ulong)options.Seed);
        decoder.Network.train();
        for (var epoch = 0; epoch < options.Epochs; epoch++)
            foreach (var batch in sampler.Epoch(epoch))
            {
                using var scope = NewDisposeScope();
                var rows = tensor(batch.Select(i => (long)i).ToArray());
                decoder.Network.zero_grad();
                var loss = nn.functional.mse_loss(decoder.Network.forward(standardised.index_select(0, rows)), x.index_select(0, rows));
                loss.backward();
                optimizer.Step(parameters, parameters.ToDictionary(p => p.Name, p => p.Parameter.grad!, StringComparer.Ordinal));
            }
        decoder.Network.eval();
        return decoder;
    }

    /// <summary>Reconstructs the held-out inputs from their activations and scores the reconstructions.</summary>
    public static InversionResult Evaluate(InversionDecoder decoder, Tensor activations, Tensor inputs)
    {
        CheckPairs(activations, inputs);
        var reconstructions = decoder.Reconstruct(activations).reshape(inputs.shape);
        return new InversionResult(Score(reconstructions, inputs), reconstructions);
    }

    /// <summary>MSE, PSNR and SSIM of reconstructions against the true images (n first; 28 × 28 unless the shape says otherwise).</summary>
    public static InversionScore Score(Tensor reconstructions, Tensor images)
    {
        var (height, width) = ImageSize(images);
        var mse = ImageSimilarity.Mse(reconstructions, images);
        return new InversionScore(mse, ImageSimilarity.Psnr(mse), ImageSimilarity.Ssim(reconstructions, images, height, width));
    }

    /// <summary>What an attacker scores without activations: every held-out image guessed as the auxiliary set's mean image.</summary>
    public static InversionScore MeanImageBaseline(Tensor auxiliaryInputs, Tensor heldOutInputs)
    {
        using var scope = NewDisposeScope();
        var meanImage = auxiliaryInputs.to_type(ScalarType.Float32).mean([0], keepdim: true);
        return Score(meanImage.expand(heldOutInputs.shape), heldOutInputs);
    }

    /// <summary>The last two axes of an image batch (n × … × H × W), or a square side for flat samples (n × H·W).</summary>
    private static (int Height, int Width) ImageSize(Tensor images)
    {
        if (images.dim() >= 3) return ((int)images.shape[^2], (int)images.shape[^1]);
        var pixels = images.numel() / images.shape[0];
        var side = (int)Math.Round(Math.Sqrt(pixels));
        return side * side == pixels
            ? (side, side)
            : throw new ArgumentException($"Flat samples of {pixels} values are not square images; pass them as n × height × width.");
    }

    private static int CheckPairs(Tensor activations, Tensor inputs)
    {
        if (activations.dim() == 0 || inputs.dim() == 0 || activations.shape[0] != inputs.shape[0] || inputs.shape[0] < 1)
            throw new ArgumentException(
                $"Activations ({string.Join(" × ", activations.shape)}) and inputs ({string.Join(" × ", inputs.shape)}) must pair the same n ≥ 1 samples, n first.");
        using var scope = NewDisposeScope();
        if (!inputs.isfinite().all().item<bool>() || inputs.min().item<float>() < 0 || inputs.max().item<float>() > 1)
            throw new ArgumentException("Inputs must be pixel intensities in [0, 1] (FashionMnist.ToUnitRange undoes its normalisation).");
        if (!activations.isfinite().all().item<bool>())
            throw new ArgumentException("Activations hold NaN or ∞.");
        return checked((int)inputs.shape[0]);
    }
}
