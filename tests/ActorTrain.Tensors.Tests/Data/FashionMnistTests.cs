using ActorTrain.Tensors.Data;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Load_IdxFolder_GivesNormalisedImagesAndLabels()
    {
        _files.WriteFashionMnist(train: 30, test: 12);

        using var data = FashionMnist.Load(_files.Directory);

        Assert.Equal([30, 1, 28, 28], data.Train.Inputs.shape);
        Assert.Equal(12, data.Test.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)(i % 10)), data.Train.Labels.data<long>().ToArray());
        // Pixel 0 of image 0 is 0 → (0 - mean) / std; pixel 255 → (1 - mean) / std. Tolerance 1e-5 (fp32).
        var pixels = data.Train.Inputs.flatten().data<float>().ToArray();
        Assert.Equal((0 - 0.2860f) / 0.3530f, pixels[0], 1e-5f);
        Assert.Equal((1 - 0.2860f) / 0.3530f, pixels[255], 1e-5f);
    }

    [Fact]
    public void Load_MissingFolder_SaysHowToInstall()
    {
        var error = Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Load(Path.Combine(_files.Directory, "absent")));
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
        Assert.Contains("--data", error.Message);
        Assert.Contains(FashionMnist.DirectoryVariable, error.Message);
    }

    [Fact]
    public void Load_PathIsAFile_SaysItMustBeADirectory()
    {
        var file = _files.Write("not-a-folder", [1, 2, 3]);
        Assert.Contains("is a file", Assert.Throws<DatasetNotFoundException>(() => FashionMnist.Load(file)).Message);
    }

    [Fact]
    public void Load_LabelCountDiffersFromImages_NamesLabelsFile()
    {
        _files.WriteFashionMnist(train: 5, test: 5);
        _files.Write("t10k-labels-idx1-ubyte.gz", IdxTestFiles.Idx(0x08, [4], [1, 2, 3, 4]), gzip: true);
        var error = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_files.Directory));
        Assert.Contains("t10k-labels-idx1-ubyte.gz", error.Message);
        Assert.Contains("4 labels", error.Message);
    }

    [Fact]
    public void Load_LabelOutOfRange_IsRejected()
    {
        _files.WriteFashionMnist(train: 5, test: 5);
        _files.Write("train-labels-idx1-ubyte.gz", IdxTestFiles.Idx(0x08, [5], [0, 1, 12, 3, 4]), gzip: true);
        Assert.Contains("label 12 at index 2", Assert.Throws<IdxFormatException>(() => FashionMnist.Load(_files.Directory)).Message);
    }

    [Fact]
    public void ResolveDirectory_CommandLineWins_ThenConfigured_ThenDefault()
    {
        if (Environment.GetEnvironmentVariable(FashionMnist.DirectoryVariable) is not null) return;
        Assert.Equal("/cli", FashionMnist.ResolveDirectory("/cli", "/conf"));
        Assert.Equal("/conf", FashionMnist.ResolveDirectory(null, "/conf"));
        Assert.Equal(FashionMnist.DefaultDirectory, FashionMnist.ResolveDirectory(null, null));
    }
}
