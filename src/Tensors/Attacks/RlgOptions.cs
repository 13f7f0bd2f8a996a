namespace ActorTrain.Tensors.Attacks;

/// <summary>How <see cref="RlgAttack.RevealLabels(ReadOnlySpan{float}, int, int, MatrixOrientation, int?, ReadOnlySpan{float}, RlgOptions?)"/> decides separability.</summary>
public sealed record RlgOptions
{
    public static RlgOptions Default { get; } = new();

    public RlgMethod Method { get; init; } = RlgMethod.Fast;

    /// <summary>
    /// <see cref="RlgMethod.RestrictedLp"/> only: how many other classes (those with the largest ‖q_j‖) constrain each
    /// class's LP. The reference code uses 199 for its 1,000-class models.
    /// </summary>
    public int RestrictedConstraints { get; init; } = 199;

    /// <summary>
    /// TorchSharp intra-op threads for the SVD while the attack runs (the caller's setting is restored afterwards);
    /// null leaves the caller's setting. Default 1: the matrices are small (about 10⁹ flops at C = 1000, d = 2048), and
    /// with a second busy core, OpenMP's synchronisation made the SVD step 56–1,569 ms on 2 threads against a steady
    /// 41 ms on 1 (measured at load average 4 on 2 cores).
    /// </summary>
    public int? TorchThreads { get; init; } = 1;
}

/// <summary>The separability test behind the revealed set.</summary>
public enum RlgMethod
{
    /// <summary>Exact test, certificate-based (positive spanning set + NNLS, GLOP only for undecided classes).</summary>
    Fast,

    /// <summary>Exact test the naive way: one GLOP LP per class with all C − 1 other classes as constraints.</summary>
    ExactLp,

    /// <summary>The reference code's approximation: one GLOP LP per class against only the k largest-norm other classes.</summary>
    RestrictedLp,
}

/// <summary>How the projection layer's update matrix is laid out (row-major).</summary>
public enum MatrixOrientation
{
    /// <summary>C × d, one row per class: TorchSharp's and PyTorch's <c>nn.Linear</c> weight layout.</summary>
    ClassesByFeatures,

    /// <summary>d × C, one column per class: e.g. Keras/TensorFlow <c>Dense</c> kernels.</summary>
    FeaturesByClasses,
}
