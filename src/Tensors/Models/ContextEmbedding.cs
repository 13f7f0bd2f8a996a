using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Models;

/// <summary>
/// Looks up each of a sample's k token ids in one table and concatenates the vectors: float32 ids [N, k] (as a
/// <see cref="Data.LabeledDataset"/> holds them) → [N, k · dimension]. Its one parameter is <c>weight</c>
/// [tokens, dimension], drawn from N(0, 1) like <c>nn.Embedding</c>'s.
/// </summary>
internal sealed class ContextEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter _weight;

    public ContextEmbedding(long tokens, long dimension) : base(nameof(ContextEmbedding))
    {
        _weight = new TorchSharp.Modules.Parameter(randn(tokens, dimension));
        register_parameter("weight", _weight);
    }

    public override Tensor forward(Tensor input)
    {
        using var ids = input.to_type(ScalarType.Int64);
        using var flat = ids.reshape(-1);
        using var vectors = _weight.index_select(0, flat);
        return vectors.reshape(input.shape[0], -1);
    }
}
