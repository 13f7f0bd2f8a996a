using ActorTrain.Actors.Workers;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Actors.Tests.Workers;

public sealed class RunDataTests : IDisposable
{
    private readonly string _fortunes = Directory.CreateTempSubdirectory("actortrain-rundata-").FullName;

    public RunDataTests() => File.WriteAllText(Path.Combine(_fortunes, "f"), "a b c\n%\nb c a\n%\nc a b\n%\na a b\n");

    public void Dispose() => Directory.Delete(_fortunes, recursive: true);

    [Fact]
    public void Load_FortunesWithTheServersDigest_BuildsOnceAndShares()
    {
        var options = new FortunesOptions(Vocabulary: 3, Context: 2, TestFraction: 0.25, Digest: FortunesCorpus.Read(_fortunes).Digest);
        var spec = TestSpecs.Spec() with { Model = "wordmlp", Dataset = "fortunes", Fortunes = options };

        var first = RunData.Load(spec, "unused", _fortunes);

        Assert.Same(first, RunData.Load(spec, "unused", _fortunes));
        Assert.Equal(3, first.Train.ClassCount);
        Assert.Equal([2L], first.Train.SampleShape);
    }

    [Fact]
    public void Load_FortunesWithOtherDigest_RefusesTheRun()
    {
        var spec = TestSpecs.Spec() with { Dataset = "fortunes", Fortunes = new FortunesOptions(Vocabulary: 3, Digest: new string('f', 64)) };

        var error = Assert.Throws<DatasetNotFoundException>(() => RunData.Load(spec, "unused", _fortunes));

        Assert.Contains("differ from the ones the run was prepared with", error.Message);
    }
}
