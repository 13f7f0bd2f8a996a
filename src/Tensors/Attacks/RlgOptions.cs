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
