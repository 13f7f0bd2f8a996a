using TorchSharp;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Models;

/// <summary>What to build: a model kind for inputs of one shape and a number of classes.</summary>
/// <param name="Kind"><c>mlp</c>, <c>cnn</c> or <c>wordmlp</c> (next word from k context word ids, for the fortunes dataset).</param>
/// <param name="InputShape">One sample's shape, e.g. [1, 28, 28] or [128]; [k] context ids for <c>wordmlp</c>.</param>
/// <param name="Classes">Output classes (the projection layer's rows).</param>
/// <param name="HiddenWidths">MLP and wordmlp hidden layer widths; the CNN uses the last one for its fully connected layer.</param>
public sealed record ModelSpec(string Kind, long[] InputShape, int Classes, int[] HiddenWidths)
{
    public static readonly IReadOnlyList<string> Kinds = ["mlp", "cnn", "wordmlp"];

    /// <summary>Dimension of each context word's embedding in <c>wordmlp</c>.</summary>
    public const int WordEmbeddingDimension = 64;

    public static int[] DefaultHiddenWidths => [256, 128];

    /// <summary>Builds the model with weights drawn from <paramref name="seed"/>: the same seed gives the same weights.</summary>
    public LayeredModel Build(long seed)
    {
        if (Classes < 2) throw new ArgumentException($"A classifier needs at least 2 classes, got {Classes}.");
        if (HiddenWidths.Any(w => w < 1)) throw new ArgumentException($"Hidden widths must be positive: [{string.Join(", ", HiddenWidths)}].");
        if (!Kinds.Contains(Kind)) throw new ArgumentException($"Unknown model '{Kind}'; choose one of: {string.Join(", ", Kinds)}.");
        return Training.SeededConstruction.Build(seed, () => Kind switch
        {
            "mlp" => Mlp(),
            "cnn" => Cnn(),
            _ => WordMlp(),
        });
    }

    private LayeredModel Mlp()
    {
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("flatten", nn.Flatten()) };
        var cuts = new List<string>();
        var width = AddHiddenLayers(layers, cuts, InputShape.Aggregate(1L, (a, b) => a * b));
        layers.Add(("projection", nn.Linear(width, Classes)));
        return new LayeredModel("mlp", layers, "projection", cuts);
    }

    /// <summary>Two 3×3 conv blocks (16 and 32 channels, each ReLU + 2×2 max-pool), one hidden fc layer, projection.</summary>
    private LayeredModel Cnn()
    {
        if (InputShape.Length != 3 || InputShape[1] < 4 || InputShape[2] < 4)
            throw new ArgumentException(
                $"The cnn model needs image inputs [channels, height, width] of at least 4×4; this dataset's samples are [{string.Join(", ", InputShape)}]. Use --model mlp.");
        var (channels, height, width) = (InputShape[0], InputShape[1] / 4, InputShape[2] / 4);
        var hidden = HiddenWidths.Length > 0 ? HiddenWidths[^1] : 128;
        return new LayeredModel("cnn",
        [
            ("conv1", nn.Conv2d(channels, 16, 3, padding: 1)), ("act1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", nn.Conv2d(16, 32, 3, padding: 1)), ("act2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("hidden1", nn.Linear(32 * height * width, hidden)), ("act3", nn.ReLU()),
            ("projection", nn.Linear(hidden, Classes)),
        ], "projection", ["pool1", "pool2", "act3"]);
    }

    /// <summary>
    /// A feed-forward next-word model (after Bengio et al., "A Neural Probabilistic Language Model", JMLR 2003): the k
    /// context ids (float32, as <see cref="Data.Fortunes"/> stores them) each look up a
    /// <see cref="WordEmbeddingDimension"/>-vector in a table of Classes + <see cref="Data.FortunesVocabulary.ReservedTokens"/>
    /// rows (the V words, &lt;unk&gt;, &lt;s&gt;), concatenated; then ReLU hidden layers; then the projection onto the V words.
    /// Cut points: after the embedding and after each hidden activation.
    /// </summary>
    private LayeredModel WordMlp()
    {
        if (InputShape.Length != 1)
            throw new ArgumentException(
                $"The wordmlp model needs samples of k word ids; this dataset's samples are [{string.Join(", ", InputShape)}]. Use --dataset fortunes, or --model mlp or cnn.");
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>
        {
            ("embedding", new ContextEmbedding(Classes + Data.FortunesVocabulary.ReservedTokens, WordEmbeddingDimension)),
        };
        var cuts = new List<string> { "embedding" };
        var width = AddHiddenLayers(layers, cuts, InputShape[0] * WordEmbeddingDimension);
        layers.Add(("projection", nn.Linear(width, Classes)));
        return new LayeredModel("wordmlp", layers, "projection", cuts);
    }

    /// <summary>Appends hidden{i} (Linear) and act{i} (ReLU, a cut point) per hidden width.</summary>
    /// <returns>The last layer's output width.</returns>
    private long AddHiddenLayers(List<(string, nn.Module<Tensor, Tensor>)> layers, List<string> cuts, long width)
    {
        for (var i = 0; i < HiddenWidths.Length; i++)
        {
            layers.Add(($"hidden{i + 1}", nn.Linear(width, HiddenWidths[i])));
            layers.Add(($"act{i + 1}", nn.ReLU()));
            cuts.Add($"act{i + 1}");
            width = HiddenWidths[i];
        }
        return width;
    }
}
