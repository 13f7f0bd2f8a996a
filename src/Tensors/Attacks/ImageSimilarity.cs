using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// Image quality measures for reconstructions of single-channel images with pixel intensities in [0, 1] (data range 1).
/// SSIM follows Wang, Bovik, Sheikh and Simoncelli, "Image quality assessment: from error visibility to structural
/// similarity", IEEE TIP 13(4), 2004, eq. 13 with their settings: an 11 × 11 Gaussian window (σ = 1.5, weights summing
/// to 1), K1 = 0.01, K2 = 0.03, weighted (not sample-corrected) variances, and only windows that fit inside the image
/// (an 18 × 18 map for 28 × 28 images), averaged. scikit-image's defaults (7 × 7 uniform window) give other values.
/// </summary>
public static class ImageSimilarity
{
    public const int WindowSize = 11;
    public const double WindowSigma = 1.5;
    public const double K1 = 0.01;
    public const double K2 = 0.03;

    /// <summary>C1 = (K1·L)² with data range L = 1.</summary>
    public const double C1 = K1 * K1;

    /// <summary>C2 = (K2·L)² with data range L = 1.</summary>
    public const double C2 = K2 * K2;

    /// <summary>Mean squared error over every pixel of every image.</summary>
    public static double Mse(Tensor reconstructions, Tensor images)
    {
        CheckPair(reconstructions, images);
        using var scope = NewDisposeScope();
        return (reconstructions.to_type(ScalarType.Float64) - images.to_type(ScalarType.Float64)).square().mean().item<double>();
    }

    /// <summary>Peak signal-to-noise ratio 10·log10(L² / mse) in dB for data range L = 1.</summary>
    public static double Psnr(double mse) => 10 * Math.Log10(1 / mse);

    /// <summary>Mean SSIM of corresponding images; each tensor holds n images of <paramref name="height"/> × <paramref name="width"/> pixels, in any shape with n first.</summary>
    public static double Ssim(Tensor reconstructions, Tensor images, int height = 28, int width = 28)
    {
        CheckPair(reconstructions, images);
        if (height < WindowSize || width < WindowSize)
            throw new ArgumentException($"SSIM's {WindowSize} × {WindowSize} window needs images at least that large, got {height} × {width}.");
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var n = reconstructions.shape[0];
        if (reconstructions.numel() != n * height * width)
            throw new ArgumentException($"{reconstructions.numel()} values are not {n} images of {height} × {width}.");
        var x = reconstructions.reshape(n, 1, height, width).to_type(ScalarType.Float64);
        var y = images.reshape(n, 1, height, width).to_type(ScalarType.Float64);
        var window = GaussianWindow();
        Tensor Filter(Tensor t) => nn.functional.conv2d(t, window);
        var (muX, muY) = (Filter(x), Filter(y));
        var varianceX = Filter(x * x) - muX * muX;
        var varianceY = Filter(y * y) - muY * muY;
        var covariance = Filter(x * y) - muX * muY;
        var map = (2 * muX * muY + C1) * (2 * covariance + C2) / ((muX * muX + muY * muY + C1) * (varianceX + varianceY + C2));
        return map.mean().item<double>();
    }

    /// <summary>The 11 × 11 Gaussian window, σ = 1.5, normalised to sum 1, as a 1 × 1 × 11 × 11 float64 kernel.</summary>
    private static Tensor GaussianWindow()
    {
        var offsets = arange(WindowSize, dtype: ScalarType.Float64) - (WindowSize - 1) / 2.0;
        var profile = (-(offsets * offsets) / (2 * WindowSigma * WindowSigma)).exp();
        var window = profile.outer(profile);
        return (window / window.sum()).reshape(1, 1, WindowSize, WindowSize);
    }

    private static void CheckPair(Tensor reconstructions, Tensor images)
    {
        if (reconstructions.numel() != images.numel() || reconstructions.shape[0] != images.shape[0])
            throw new ArgumentException(
                $"Reconstructions ({string.Join(" × ", reconstructions.shape)}) and images ({string.Join(" × ", images.shape)}) must hold the same samples and values.");
    }
}
