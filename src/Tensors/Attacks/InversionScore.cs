namespace ActorTrain.Tensors.Attacks;

/// <summary>How close reconstructions come to the true images (pixel intensities in [0, 1]).</summary>
/// <param name="Mse">Mean squared error over all pixels of all images.</param>
/// <param name="Psnr">10·log10(1 / Mse), in dB (data range 1); +∞ for a perfect reconstruction.</param>
/// <param name="Ssim">Mean SSIM over the images (<see cref="ImageSimilarity.Ssim"/>); 1 for identical images.</param>
public sealed record InversionScore(double Mse, double Psnr, double Ssim);

/// <summary>A decoder's score on held-out pairs and what it reconstructed, for plotting.</summary>
/// <param name="Reconstructions">One reconstruction per held-out sample, shaped like the held-out inputs.</param>
public sealed record InversionResult(InversionScore Score, TorchSharp.torch.Tensor Reconstructions);
