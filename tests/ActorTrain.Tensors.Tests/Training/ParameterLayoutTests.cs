using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Training;

public sealed class ParameterLayoutTests
{
    [Fact]
    public void FlattenThenRestore_RoundTripsEveryParameterExactly()
    {
        using var model = new ModelSpec("cnn", [1, 12, 12], 7, [16]).Build(seed: 2);
        var layout = ParameterLayout.Of(model);
        var named = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);

        var flat = layout.Flatten(named);
        var restored = layout.Restore(flat);

        Assert.Equal(named.Values.Sum(t => t.numel()), flat.Length);
        Assert.All(named, p => Assert.True(p.Value.equal(restored[p.Key]).all().item<bool>(), p.Key));
    }

    [Fact]
    public void Flatten_PlacesTensorsAtTheirOffsets()
    {
        var layout = new ParameterLayout([("a", [2]), ("b", [2, 2])]);
        var flat = layout.Flatten(new Dictionary<string, Tensor>
        {
            ["b"] = tensor(new float[] { 3, 4, 5, 6 }, [2, 2]),
            ["a"] = tensor(new float[] { 1, 2 }),
        });
        Assert.Equal([1, 2, 3, 4, 5, 6], flat);
        Assert.Equal(2, layout["b"].Offset);
    }

    [Fact]
    public void Flatten_WrongShapeOrMissingOrExtra_NamesTheParameter()
    {
        var layout = new ParameterLayout([("w", [2, 3])]);
        Assert.Contains("'w' has shape [3, 2]", Assert.Throws<ArgumentException>(() => layout.Flatten(new Dictionary<string, Tensor> { ["w"] = zeros(3, 2) })).Message);
        Assert.Contains("Missing tensor for parameter 'w'", Assert.Throws<ArgumentException>(() => layout.Flatten(new Dictionary<string, Tensor>())).Message);
        Assert.Contains("extra", Assert.Throws<ArgumentException>(() => layout.Flatten(new Dictionary<string, Tensor> { ["w"] = zeros(2, 3), ["extra"] = zeros(1) })).Message);
    }

    [Fact]
    public void Restore_WrongLength_IsRejected()
    {
        var layout = new ParameterLayout([("w", [2, 3])]);
        Assert.Contains("needs 6", Assert.Throws<ArgumentException>(() => layout.Restore(new float[5])).Message);
    }
}
