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
    public void WordMlp_EmbedsContextIds_ProjectsOntoTheWords()
    {
        using var model = new ModelSpec("wordmlp", [4], 50, [32, 16]).Build(seed: 1);
        var parameters = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        using var ids = tensor(new float[] { 0, 1, 51, 51, 49, 50, 2, 3, 7, 7, 7, 7 }, [3, 4]); // 50 = <unk>, 51 = <s>
        using var output = model.forward(ids);

        Assert.Equal([3, 50], output.shape);
        Assert.Equal([52, ModelSpec.WordEmbeddingDimension], parameters["embedding.weight"]); // 50 words + <unk> + <s>
        Assert.Equal([32, 4 * ModelSpec.WordEmbeddingDimension], parameters["hidden1.weight"]);
        Assert.Equal([50, 16], parameters["projection.weight"]);
        Assert.Equal("projection", model.ProjectionLayer);
        Assert.Equal(["embedding", "act1", "act2"], model.CutPoints);
    }

    [Fact]
    public void WordMlp_EmbeddingLayer_ConcatenatesTableRowsOfTheIds()
    {
        // Independent check of the lookup: the first layer's output is the table rows of the ids, concatenated.
        using var model = new ModelSpec("wordmlp", [2], 10, [8]).Build(seed: 2);
        var (embedding, _) = model.Split("embedding");
        using var ids = tensor(new float[] { 3, 11 }, [1, 2]);
        using var vectors = embedding.forward(ids);
        var table = model.named_parameters().Single(p => p.name == "embedding.weight").parameter;
        using var expected = cat([table[3], table[11]]).unsqueeze(0);

        Assert.True(vectors.allclose(expected, rtol: 0, atol: 0));
    }

    [Fact]
    public void WordMlp_OnImages_SaysToUseFortunes()
    {
        Assert.Contains("--dataset fortunes", Assert.Throws<ArgumentException>(() => new ModelSpec("wordmlp", [1, 28, 28], 10, [8]).Build(1)).Message);
    }

    [Theory]
    [InlineData("embedding")]
    [InlineData("act1")]
    public void WordMlp_SplitClientThenServer_EqualsWholeModel(string cut)
    {
        using var model = new ModelSpec("wordmlp", [3], 20, [16, 8]).Build(seed: 4);
        var (client, server) = model.Split(cut);
        using var ids = randint(0, 22, [5, 3]).to_type(ScalarType.Float32);
        using var whole = model.forward(ids);
        using var activations = client.forward(ids);
        using var split = server.forward(activations);

        Assert.True(whole.allclose(split, rtol: 0, atol: 0));
        Assert.Equal("projection", server.ProjectionLayer);
    }

    [Fact]
    public void Build_UnknownKind_ListsKinds()
    {
        Assert.Contains("mlp, cnn, wordmlp", Assert.Throws<ArgumentException>(() => new ModelSpec("resnet", [8], 3, [4]).Build(1)).Message);
    }
}
