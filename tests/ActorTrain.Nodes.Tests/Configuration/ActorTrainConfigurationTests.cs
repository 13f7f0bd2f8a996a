using ActorTrain.Nodes.Configuration;
using ActorTrain.Nodes.Training;
using ActorTrain.Tensors.Data;

namespace ActorTrain.Nodes.Tests.Configuration;

public sealed class ActorTrainConfigurationTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_Reference_HasEveryTrainDefault()
    {
        var settings = TrainSettings.Resolve(ActorTrainConfiguration.Load(null), new TrainOverrides());
        Assert.Equal("mlp", settings.Model);
        Assert.Equal("fashion-mnist", settings.Dataset);
        Assert.Equal([256, 128], settings.Hidden);
        Assert.Equal(64, settings.Training.BatchSize);
        Assert.Null(settings.Training.Steps);
        Assert.Equal(new FortunesOptions(Vocabulary: 2000, Context: 4, TestFraction: 0.1, SplitSeed: 1), settings.Fortunes);
    }

    [Fact]
    public void Resolve_CommandLineOverridesFileOverridesReference()
    {
        File.WriteAllText(_temp.File("user.conf"), "actortrain.train { batch-size = 16, learning-rate = 0.2 }");
        var settings = TrainSettings.Resolve(ActorTrainConfiguration.Load(_temp.File("user.conf")), new TrainOverrides(BatchSize: 8));
        Assert.Equal(8, settings.Training.BatchSize);       // command line
        Assert.Equal(0.2, settings.Training.LearningRate);  // file
        Assert.Equal(0.9, settings.Training.Momentum);      // reference
    }

    [Fact]
    public void Load_MissingFile_SaysNotFound()
    {
        Assert.Contains("file not found", Assert.Throws<ConfigurationException>(() => ActorTrainConfiguration.Load(_temp.File("none.conf"))).Message);
    }
}
