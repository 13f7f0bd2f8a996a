using ActorTrain.Tensors.Attacks;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Attacks;

public sealed class ImageSimilarityTests
{
    [Fact]
    public void Ssim_ImageWithItself_IsOne()
    {
        var images = Images(3, seed: 1);
        Assert.Equal(1, ImageSimilarity.Ssim(images, images), 1e-12);
    }

    [Fact]
    public void Ssim_ShiftedOrNoisedImage_IsBelowOne()
    {
        var images = Images(2, seed: 2);
        var shifted = images.roll(2, dims: 3);
        var noised = (images + 0.1 * randn(images.shape, generator: new Generator(3))).clamp(0, 1);

        Assert.InRange(ImageSimilarity.Ssim(shifted, images), -1, 0.9);
        Assert.InRange(ImageSimilarity.Ssim(noised, images), -1, 0.9);
    }

    [Fact]
    public void Ssim_ConstantImages_MatchLuminanceTermByHand()
    {
        // Constant images: every σ is 0, so SSIM = (2ab + C1)/(a² + b² + C1) · C2/C2 with C1 = 0.01² = 1e-4.
        var a = full(1, 1, 28, 28, 0.5, dtype: ScalarType.Float64);
        var b = full(1, 1, 28, 28, 0.25, dtype: ScalarType.Float64);
        Assert.Equal(0.2501 / 0.3126, ImageSimilarity.Ssim(a, b), 1e-12);
    }

    [Fact]
    public void Ssim_RandomPair_MatchesWindowedLoops()
    {
        var x = Images(1, seed: 4);
        var y = (x * 0.7 + 0.3 * Images(1, seed: 5)).clamp(0, 1);

        var expected = LoopSsim(Pixels(x), Pixels(y));

        Assert.Equal(expected, ImageSimilarity.Ssim(x, y), 1e-10);
    }

    [Fact]
    public void Psnr_ImagesOffByATenth_IsTwentyDecibels()
    {
        var images = full(4, 784, 0.5);
        var mse = ImageSimilarity.Mse(images + 0.1, images);

        Assert.Equal(0.01, mse, 1e-6); // fp32 pixels
        Assert.Equal(20, ImageSimilarity.Psnr(mse), 1e-3);
        Assert.Equal(double.PositiveInfinity, ImageSimilarity.Psnr(0));
    }

    [Fact]
    public void Ssim_ImagesSmallerThanWindow_AreRejected()
    {
        var small = zeros(2, 1, 8, 8);
        Assert.Contains("11 × 11 window", Assert.Throws<ArgumentException>(() => ImageSimilarity.Ssim(small, small, 8, 8)).Message);
    }

    /// <summary>Wang et al. 2004 by hand: Gaussian weights w (σ = 1.5, 11 × 11, sum 1), weighted means, variances and covariance per valid window.</summary>
    private static double LoopSsim(double[,] x, double[,] y)
    {
        var w = new double[11, 11];
        var total = 0.0;
        for (var i = 0; i < 11; i++)
            for (var j = 0; j < 11; j++) total += w[i, j] = Math.Exp(-((i - 5) * (i - 5) + (j - 5) * (j - 5)) / (2 * 1.5 * 1.5));
        var sum = 0.0;
        for (var r = 0; r + 11 <= 28; r++)
            for (var c = 0; c + 11 <= 28; c++)
            {
                double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
                for (var i = 0; i < 11; i++)
                    for (var j = 0; j < 11; j++)
                    {
                        var (weight, a, b) = (w[i, j] / total, x[r + i, c + j], y[r + i, c + j]);
                        mx += weight * a;
                        my += weight * b;
                        xx += weight * a * a;
                        yy += weight * b * b;
                        xy += weight * a * b;
                    }
                var (vx, vy, cxy) = (xx - mx * mx, yy - my * my, xy - mx * my);
                sum += (2 * mx * my + 1e-4) * (2 * cxy + 9e-4) / ((mx * mx + my * my + 1e-4) * (vx + vy + 9e-4));
            }
        return sum / (18 * 18);
    }

    private static double[,] Pixels(Tensor image)
    {
        var values = image.to_type(ScalarType.Float64).flatten().data<double>().ToArray();
        var pixels = new double[28, 28];
        for (var i = 0; i < 784; i++) pixels[i / 28, i % 28] = values[i];
        return pixels;
    }

    /// <summary>Smooth random images in [0, 1]: a blurred uniform field, so windows hold structure as well as noise.</summary>
    private static Tensor Images(int n, int seed)
    {
        var noise = rand([n, 1, 28, 28], dtype: ScalarType.Float64, generator: new Generator((ulong)seed));
        return nn.functional.avg_pool2d(noise, 3, stride: 1, padding: 1);
    }
}
