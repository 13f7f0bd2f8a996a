using static TorchSharp.torch;

namespace ActorTrain.Tensors.Defenses;

public static partial class DistanceCorrelation
{
    /// <summary>Double centring (Székely et al. 2007, eq. 2.8): A_jk = a_jk − ā_j· − ā_·k + ā_··.</summary>
    private static Tensor DoubleCentre(Tensor a) =>
        a - a.mean([1], keepdim: true) - a.mean([0], keepdim: true) + a.mean();

    /// <summary>The V-statistic's inner product (1/n²) Σ_jk A_jk B_jk: dCov² when A, B are double-centred.</summary>
    private static Tensor VInner(Tensor a, Tensor b) => (a * b).mean();

    /// <summary>
    /// U-centring (Székely and Rizzo 2014, eq. 2.6): Ã_ij = a_ij − a_i·/(n−2) − a_·j/(n−2) + a_··/((n−1)(n−2))
    /// for i ≠ j, where a_i· is a row sum, and Ã_ii = 0.
    /// </summary>
    private static Tensor UCentre(Tensor a)
    {
        var n = a.shape[0];
        var centred = a - a.sum([1], keepdim: true) / (n - 2) - a.sum([0], keepdim: true) / (n - 2) + a.sum() / ((n - 1) * (n - 2));
        return centred * OffDiagonal((int)n, a.dtype, a.device);
    }

    /// <summary>(Ã·B̃) = Σ_{i≠j} Ã_ij B̃_ij / (n(n−3)), an unbiased estimator of dCov² (Székely and Rizzo 2014, eq. 2.7).</summary>
    private static Tensor UInner(Tensor a, Tensor b)
    {
        var n = a.shape[0];
        return (a * b).sum() / (n * (n - 3));
    }
}
