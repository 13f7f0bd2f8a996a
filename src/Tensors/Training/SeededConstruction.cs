using TorchSharp;

namespace ActorTrain.Tensors.Training;

/// <summary>
/// Builds modules whose initial weights come from torch's one process-wide generator. Seeding it and drawing from it
/// are two steps, so two threads building at once (a worker and the parameter server of an in-process run, a tap's
/// decoder beside them) can interleave and draw each other's numbers: seeded runs then stop reproducing. Every seeded
/// construction goes through here, one at a time.
/// </summary>
public static class SeededConstruction
{
    private static readonly Lock Gate = new();

    public static T Build<T>(long seed, Func<T> construct)
    {
        lock (Gate)
        {
            torch.random.manual_seed(seed);
            return construct();
        }
    }
}
