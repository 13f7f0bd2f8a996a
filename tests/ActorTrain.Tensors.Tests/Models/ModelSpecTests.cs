using ActorTrain.Tensors.Models;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Models;

public sealed class ModelSpecTests
{
    [Fact]
    public void Mlp_NamesProjectionLayer_WithClassesRows()
    {
        using var model = new ModelSpec("mlp", [1, 28, 28], 10, [64, 32]).Build(seed: 1);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal("projection", model.ProjectionLayer);
        Assert.Equal([10, 32], parameters["projection.weight"]);
        Assert.Equal([10], parameters["projection.bias"]);
        Assert.Equal([64, 784], parameters["hidden1.weight"]);
        Assert.Equal(["act1", "act2"], model.CutPoints);
    }

    [Fact]
    public void Cnn_MapsImagesToClassLogits()
    {
        using var model = new ModelSpec("cnn", [1, 28, 28], 10, [128]).Build(seed: 1);
        using var output = model.forward(randn(3, 1, 28, 28));
        Assert.Equal([3, 10], output.shape);
        Assert.Equal([10, 128], model.named_parameters().Single(p => p.name == "projection.weight").parameter.shape);
    }

    [Fact]
    public void Cnn_OnVectorData_SaysToUseMlp()
    {
        var error = Assert.Throws<ArgumentException>(() => new ModelSpec("cnn", [128], 10, [64]).Build(1));
        Assert.Contains("--model mlp", error.Message);
    }

    [Fact]
    public void Build_SameSeed_SameWeights()
    {
        using var a = new ModelSpec("mlp", [20], 5, [16]).Build(seed: 42);
        using var b = new ModelSpec("mlp", [20], 5, [16]).Build(seed: 42);
        using var c = new ModelSpec("mlp", [20], 5, [16]).Build(seed: 43);
        var pairs = a.parameters().Zip(b.parameters());
        Assert.All(pairs, p => Assert.True(p.First.equal(p.Second).all().item<bool>()));
        Assert.False(a.parameters().First().equal(c.parameters().First()).all().item<bool>());
    }

    [Theory]
    [InlineData("mlp", "act1")]
    [InlineData("cnn", "pool2")]
    public void Split_ClientThenServer_EqualsWholeModel(string kind, string cut)
    {
        using var model = new ModelSpec(kind, [1, 28, 28], 10, [32]).Build(seed: 3);
        var (client, server) = model.Split(cut);
        using var x = randn(4, 1, 28, 28);
        using var whole = model.forward(x);
        using var activations = client.forward(x);
        using var split = server.forward(activations);
        Assert.True(whole.allclose(split, rtol: 0, atol: 0));
        Assert.Equal("projection", server.ProjectionLayer);
        Assert.Null(client.ProjectionLayer);
    }

    [Fact]
    public void Split_UnknownCut_ListsTheCuts()
    {
        using var model = new ModelSpec("mlp", [8], 3, [4]).Build(1);
        Assert.Contains("act1", Assert.Throws<ArgumentException>(() => model.Split("projection")).Message);
    }

    [Fact]
    public void Build_UnknownKind_ListsKinds()
    {
        Assert.Contains("mlp, cnn", Assert.Throws<ArgumentException>(() => new ModelSpec("resnet", [8], 3, [4]).Build(1)).Message);
    }
}
