using System.Numerics;

namespace ActorTrain.Tensors.Attacks;

/// <summary>Checks the attack's inputs and says exactly what is wrong, so a bad file or shape fails before any SVD.</summary>
internal static class RlgInput
{
    public static void Validate<T>(ReadOnlySpan<T> values, int rows, int columns, MatrixOrientation orientation, int? samples, double[] bias, RlgOptions options)
        where T : IFloatingPointIeee754<T>
    {
        if (rows < 1 || columns < 1)
            throw new ArgumentException($"Update shape {rows} × {columns}: both dimensions must be at least 1.");
        if ((long)rows * columns != values.Length)
            throw new ArgumentException($"Update has {values.Length} values, but shape {rows} × {columns} needs {(long)rows * columns}.");
        if (!Enum.IsDefined(orientation))
            throw new ArgumentException($"Unknown orientation {orientation}.");
        var (classes, features) = orientation == MatrixOrientation.ClassesByFeatures ? (rows, columns) : (columns, rows);
        if (classes < 2)
            throw new ArgumentException($"Update {rows} × {columns} read as {Describe(orientation)} has {classes} class(es); RLG needs at least 2.");
        if (samples is < 1)
            throw new ArgumentException($"Samples (S) must be at least 1, got {samples}.");
        if (options.TorchThreads is < 1)
            throw new ArgumentException($"TorchSharp threads must be at least 1, got {options.TorchThreads}.");
        if (options.Method == RlgMethod.RestrictedLp && options.RestrictedConstraints < 1)
            throw new ArgumentException($"Restricted LP needs at least 1 constraint class, got {options.RestrictedConstraints}.");
        for (var i = 0; i < values.Length; i++)
            if (!T.IsFinite(values[i]))
                throw new ArgumentException(FormattableString.Invariant($"Update[{i / columns}, {i % columns}] is {values[i]}; the attack needs finite values."));
        if (bias.Length == 0) return;
        if (bias.Length != classes)
        {
            var hint = bias.Length == features
                ? $" It matches the other dimension: is the update {Describe(Other(orientation))}?"
                : "";
            throw new ArgumentException($"Bias gradient has {bias.Length} values, but the update read as {Describe(orientation)} has {classes} classes.{hint}");
        }
        for (var c = 0; c < bias.Length; c++)
            if (!double.IsFinite(bias[c]))
                throw new ArgumentException(FormattableString.Invariant($"Bias gradient[{c}] is {bias[c]}; the attack needs finite values."));
    }

    private static MatrixOrientation Other(MatrixOrientation orientation) =>
        orientation == MatrixOrientation.ClassesByFeatures ? MatrixOrientation.FeaturesByClasses : MatrixOrientation.ClassesByFeatures;

    private static string Describe(MatrixOrientation orientation) =>
        orientation == MatrixOrientation.ClassesByFeatures ? "classes × features" : "features × classes";
}
