namespace ActorTrain.Tensors.Attacks;

/// <summary>How the inversion attacker's decoder is built and trained.</summary>
/// <param name="HiddenWidths">ReLU hidden layers of the MLP decoder; empty for a linear map followed by the sigmoid.</param>
/// <param name="Epochs">Passes over the auxiliary pairs.</param>
/// <param name="BatchSize">Pairs per Adam step.</param>
/// <param name="LearningRate">Adam step size η (β1 = 0.9, β2 = 0.999).</param>
/// <param name="Seed">Decoder weights and batch order: the same seed and data give the same decoder.</param>
public sealed record InversionOptions(
    int[] HiddenWidths,
    int Epochs = 20,
    int BatchSize = 64,
    double LearningRate = 1e-3,
    long Seed = 1)
{
    /// <summary>One hidden layer of 1,024 units.</summary>
    public InversionOptions() : this([1024]) { }
}
