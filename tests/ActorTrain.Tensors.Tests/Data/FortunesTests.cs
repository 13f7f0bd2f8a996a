using ActorTrain.Tensors.Data;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class FortunesTests : IDisposable
{
    private readonly FortunesTestCorpus _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Read_TakesTopLevelTextFilesInNameOrder()
    {
        _files.Write("b", "bee one", "bee two");
        _files.Write("a", "ay");
        _files.Write("a.dat", "dat words");
        _files.Write("a.u8", "u eight words");
        _files.Write("off/rude", "offensive words");
        _files.Write("fr/fortunes", "mots français");

        var corpus = FortunesCorpus.Read(_files.Directory);

        Assert.Equal(["a", "b"], corpus.Files);
        Assert.Equal([["ay"], ["bee", "one"], ["bee", "two"]], corpus.Entries);
        Assert.Equal(5, corpus.WordCount);
    }

    [Fact]
    public void Read_NoDirectory_SaysHowToInstall()
    {
        var error = Assert.Throws<DatasetNotFoundException>(() => FortunesCorpus.Read(Path.Combine(_files.Directory, "absent")));

        Assert.Contains("sudo apt-get install fortunes", error.Message);
        Assert.Contains(Fortunes.DirectoryVariable, error.Message);
        Assert.Contains("--fortunes-dir", error.Message);
    }

    [Fact]
    public void Read_OnlyIndexFiles_SaysHowToInstall()
    {
        _files.Write("cookie.dat", "binary index");

        Assert.Contains("apt-get install fortunes", Assert.Throws<DatasetNotFoundException>(() => FortunesCorpus.Read(_files.Directory)).Message);
    }

    [Fact]
    public void Digest_ChangesWithAnyFile()
    {
        _files.Write("a", "one entry");
        var before = FortunesCorpus.Read(_files.Directory).Digest;
        Assert.Equal(before, FortunesCorpus.Read(_files.Directory).Digest);

        _files.Write("b", "another");

        Assert.NotEqual(before, FortunesCorpus.Read(_files.Directory).Digest);
        Assert.Equal(64, before.Length); // SHA-256 hex
    }

    [Fact]
    public void MostFrequent_RanksByCountThenOrdinally()
    {
        var vocabulary = FortunesVocabulary.MostFrequent([["b", "a", "c"], ["c", "b", "d"], ["c"]], size: 3);

        Assert.Equal(["c", "b", "a"], vocabulary.Words); // c ×3, b ×2, then a before d (both ×1)
        Assert.Equal(1, vocabulary.Id("b"));
        Assert.Equal(3, vocabulary.Unknown);
        Assert.Equal(vocabulary.Unknown, vocabulary.Id("d"));
        Assert.Equal(4, vocabulary.Start);
        Assert.Equal(5, vocabulary.TokenCount);
    }

    [Fact]
    public void MostFrequent_TooFewWords_SaysHowMany()
    {
        Assert.Contains("3 distinct words", Assert.Throws<ArgumentException>(() => FortunesVocabulary.MostFrequent([["a", "b", "c"]], 5)).Message);
    }

    [Fact]
    public void Build_SamplesArePreviousWordsThenTarget_PaddedWithStart_UnknownTargetsDropped()
    {
        // Vocabulary 2 is {a, b} whichever entry is held out: a = 0, b = 1, <unk> = 2, <s> = 3.
        _files.Write("f", "A b, a B c.", "a b");
        var corpus = FortunesCorpus.Read(_files.Directory);

        using var data = Fortunes.Build(corpus, new FortunesOptions(Vocabulary: 2, Context: 2, TestFraction: 0.5));

        Assert.Equal(["a", "b"], data.Vocabulary.Words);
        float[] longInputs = [3, 3, 3, 0, 0, 1, 1, 0]; // "a b a b c": c is <unk> and is no target
        long[] longLabels = [0, 1, 0, 1];
        float[] shortInputs = [3, 3, 3, 0]; // "a b"
        long[] shortLabels = [0, 1];
        var (longSplit, shortSplit) = data.Splits.Train.Count == 4 ? (data.Splits.Train, data.Splits.Test) : (data.Splits.Test, data.Splits.Train);
        Assert.Equal(longInputs, longSplit.Inputs.data<float>().ToArray());
        Assert.Equal(longLabels, longSplit.Labels.data<long>().ToArray());
        Assert.Equal(shortInputs, shortSplit.Inputs.data<float>().ToArray());
        Assert.Equal(shortLabels, shortSplit.Labels.data<long>().ToArray());
        Assert.Equal([2L], data.Splits.Train.SampleShape);
        Assert.Equal(2, data.Splits.Train.ClassCount);
        Assert.Equal((1, 1), (data.TrainEntries, data.TestEntries));
    }

    [Fact]
    public void Build_OtherCorpusDigest_RefusesToBuild()
    {
        _files.Write("f", "a b", "b a");
        var corpus = FortunesCorpus.Read(_files.Directory);

        var error = Assert.Throws<DatasetNotFoundException>(() => Fortunes.Build(corpus, new FortunesOptions(Vocabulary: 2, Digest: new string('0', 64))));

        Assert.Contains("differ", error.Message);
        using var same = Fortunes.Build(corpus, new FortunesOptions(Vocabulary: 2, TestFraction: 0.5, Digest: corpus.Digest));
        Assert.Equal(2, same.Splits.Train.Count);
    }

    [Theory]
    [InlineData(1, 4, 0.1)]
    [InlineData(2000, 0, 0.1)]
    [InlineData(2000, 4, 1.0)]
    public void Load_OptionsOutOfRange_Throw(int vocabulary, int context, double testFraction)
    {
        _files.Write("f", "a b");
        Assert.Throws<ArgumentException>(() => Fortunes.Load(_files.Directory, new FortunesOptions(vocabulary, context, testFraction)));
    }

    [Fact]
    public void Load_RealCorpus_TwoThousandWords_Deterministic()
    {
        // Debian's package fortunes (installed by .ci/run and deploy/install-prerequisites.sh).
        var corpus = FortunesCorpus.Read(Fortunes.DefaultDirectory);
        using var a = Fortunes.Build(corpus, new FortunesOptions());
        using var b = Fortunes.Build(FortunesCorpus.Read(Fortunes.DefaultDirectory), new FortunesOptions());

        Assert.Equal(2000, a.Vocabulary.Size);
        Assert.Equal(2000, a.Splits.Train.ClassCount);
        Assert.Equal("the", a.Vocabulary.Words[0]); // English's most frequent word
        Assert.Equal(corpus.Entries.Count, a.TrainEntries + a.TestEntries);
        Assert.Equal(Math.Round(corpus.Entries.Count * 0.1), a.TestEntries);
        Assert.True(a.Splits.Train.Count > 300_000, $"{a.Splits.Train.Count} training samples");
        Assert.InRange(a.Splits.Train.Labels.max().item<long>(), 1000, 1999);
        Assert.Equal(2001, a.Splits.Train.Inputs.max().item<float>()); // <s> pads every entry's start
        Assert.True(a.Splits.Train.Inputs.eq(2000).any().item<bool>(), "<unk> occurs in contexts");
        Assert.Equal(a.Vocabulary.Words, b.Vocabulary.Words);
        Assert.True(a.Splits.Train.Inputs.equal(b.Splits.Train.Inputs).all().item<bool>());
        Assert.True(a.Splits.Test.Labels.equal(b.Splits.Test.Labels).all().item<bool>());
    }

    [Fact]
    public void Load_OtherSplitSeed_OtherTestEntries()
    {
        var corpus = FortunesCorpus.Read(Fortunes.DefaultDirectory);
        using var a = Fortunes.Build(corpus, new FortunesOptions(SplitSeed: 1));
        using var b = Fortunes.Build(corpus, new FortunesOptions(SplitSeed: 2));

        Assert.NotEqual(a.Splits.Test.Count, b.Splits.Test.Count);
    }

    [Fact]
    public void ResolveDirectory_CommandLineThenConfiguredThenDefault()
    {
        if (Environment.GetEnvironmentVariable(Fortunes.DirectoryVariable) is not null) return;
        Assert.Equal("/cli", Fortunes.ResolveDirectory("/cli", "/conf"));
        Assert.Equal("/conf", Fortunes.ResolveDirectory(null, "/conf"));
        Assert.Equal(Fortunes.DefaultDirectory, Fortunes.ResolveDirectory(null, null));
    }
}
