namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// Running totals of the inversion tap's scores over attacked batches, each weighted by its samples: MSE is the
/// pooled pixel MSE (every image has as many pixels), PSNR = 10·log10(1 / MSE) of that pool, SSIM the mean over images;
/// the same for the mean-image baseline on the same batches.
/// </summary>
public sealed class InversionTally
{
    private double _mse;
    private double _ssim;
    private double _baselineMse;
    private double _baselineSsim;

    /// <value>Batches added.</value>
    public long Batches { get; private set; }

    /// <value>Images in those batches.</value>
    public long Samples { get; private set; }

    public void Add(InversionScore attack, InversionScore baseline, int samples)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        Batches++;
        Samples += samples;
        _mse += attack.Mse * samples;
        _ssim += attack.Ssim * samples;
        _baselineMse += baseline.Mse * samples;
        _baselineSsim += baseline.Ssim * samples;
    }

    /// <value>NaN scores until a batch was added.</value>
    public InversionScore Attack => Pooled(_mse, _ssim);

    public InversionScore Baseline => Pooled(_baselineMse, _baselineSsim);

    private InversionScore Pooled(double mse, double ssim)
    {
        if (Samples == 0) return new InversionScore(double.NaN, double.NaN, double.NaN);
        var meanMse = mse / Samples;
        return new InversionScore(meanMse, 10 * Math.Log10(1 / meanMse), ssim / Samples);
    }
}
