using static TorchSharp.torch;

namespace ActorTrain.Tensors.Attacks;

/// <summary>What <see cref="GradientInversion.Invert"/> reconstructed from one update.</summary>
/// <param name="Inputs">The dummy batch that matched best, [N, sample shape...], in the model's input space; owned by the caller.</param>
/// <param name="Labels">The labels the dummies carried, row by row: the given ones ascending, or the arg-max of the optimised soft labels.</param>
/// <param name="Distance">Gradient distance of the kept dummies (without the prior).</param>
/// <param name="Iterations">Adam steps taken, over all restarts.</param>
/// <param name="StoppedEarly">Restarts ended by the stopping rule rather than the iteration limit.</param>
/// <param name="Seconds">Wall-clock time of the whole inversion.</param>
public sealed record GradientInversionResult(Tensor Inputs, long[] Labels, double Distance, int Iterations, int StoppedEarly, double Seconds)
    : IDisposable
{
    public void Dispose() => Inputs.Dispose();
}
