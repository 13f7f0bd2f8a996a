using static TorchSharp.torch;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Fashion-MNIST (Xiao et al., 2017): 60,000 training and 10,000 test images, 28×28 grey, 10 classes, as IDX files.
/// Debian ships them in the package <c>dataset-fashion-mnist</c>.
/// </summary>
public static class FashionMnist
{
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Environment variable that points at a folder with the four IDX files.</summary>
    public const string DirectoryVariable = "ACTORTRAIN_FASHION_MNIST";

    public const int ClassCount = 10;

    // Per-pixel mean and standard deviation of the training images scaled to [0, 1].
    private const float PixelMean = 0.2860f;
    private const float PixelStd = 0.3530f;

    /// <summary>
    /// Where to read from: the command line's <c>--data</c> first, then <see cref="DirectoryVariable"/>,
    /// then the configured directory, then <see cref="DefaultDirectory"/>.
    /// </summary>
    public static string ResolveDirectory(string? commandLine, string? configured) =>
        FirstSet(commandLine, Environment.GetEnvironmentVariable(DirectoryVariable), configured) ?? DefaultDirectory;

    public static DatasetSplits Load(string directory) =>
        new(LoadSplit(directory, "train"), LoadSplit(directory, "t10k"));

    /// <param name="prefix"><c>train</c> or <c>t10k</c>.</param>
    public static LabeledDataset LoadSplit(string directory, string prefix)
    {
        var images = IdxReader.Read(Locate(directory, $"{prefix}-images-idx3-ubyte"));
        var labelsPath = Locate(directory, $"{prefix}-labels-idx1-ubyte");
        var labels = IdxReader.Read(labelsPath);
        if (images.Dimensions.Length != 3)
            throw new IdxFormatException(labelsPath.Replace("labels-idx1", "images-idx3"), $"has {images.Dimensions.Length} dimensions; images need 3 (count, rows, columns).");
        if (labels.Dimensions.Length != 1)
            throw new IdxFormatException(labelsPath, $"has {labels.Dimensions.Length} dimensions; labels need 1.");
        if (labels.ItemCount != images.ItemCount)
            throw new IdxFormatException(labelsPath, $"holds {labels.ItemCount} labels but its images file holds {images.ItemCount} images.");
        var badLabel = Array.FindIndex(labels.Elements, l => l >= ClassCount);
        if (badLabel >= 0)
            throw new IdxFormatException(labelsPath, $"label {labels.Elements[badLabel]} at index {badLabel} is outside 0..{ClassCount - 1}.");

        var pixels = new float[images.Elements.Length];
        for (var i = 0; i < pixels.Length; i++)
            pixels[i] = (images.Elements[i] / 255f - PixelMean) / PixelStd;
        var shape = new long[] { images.ItemCount, 1, images.Dimensions[1], images.Dimensions[2] };
        return new LabeledDataset(
            $"fashion-mnist/{prefix}",
            tensor(pixels, shape),
            tensor(labels.Elements.Select(l => (long)l).ToArray()),
            ClassCount);
    }

    /// <summary>Where pixel intensities 0 and 1 land after <see cref="LoadSplit"/>'s normalisation: the box a reconstruction stays in.</summary>
    public static (double Low, double High) NormalisedPixelRange => (-PixelMean / PixelStd, (1 - PixelMean) / PixelStd);

    /// <summary>Undoes <see cref="LoadSplit"/>'s normalisation: pixel intensities in [0, 1], as image-quality measures expect.</summary>
    public static Tensor ToUnitRange(Tensor normalised) => (normalised * PixelStd + PixelMean).clamp(0, 1);

    private static string Locate(string directory, string baseName)
    {
        if (File.Exists(directory))
            throw new DatasetNotFoundException(
                $"Fashion-MNIST location '{directory}' is a file; it must be a directory holding the IDX files " +
                $"({baseName}.gz and its siblings). Point --data at that directory.");
        foreach (var candidate in new[] { baseName + ".gz", baseName })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path)) return path;
        }
        throw new DatasetNotFoundException(
            $"Fashion-MNIST not found: no {baseName}.gz or {baseName} in '{directory}'. " +
            "On Debian or Ubuntu install it with: sudo apt-get install dataset-fashion-mnist " +
            $"(it goes to {DefaultDirectory}). Or point ActorTrain at a directory with the four IDX files: " +
            $"--data DIR, the {DirectoryVariable} environment variable, or actortrain.data.fashion-mnist in your HOCON config.");
    }

    private static string? FirstSet(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
