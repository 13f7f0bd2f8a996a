namespace ActorTrain.Tensors.Tests.Training;

/// <summary>
/// Tests that collect garbage without pause (<see cref="ConstantGarbageCollection"/>) run alone: their collections
/// hit every test running beside them, where any implicit TorchSharp Scalar (one in a library's own code too) can
/// be freed mid-call. Run in parallel, they crashed the test host once and failed an unrelated inversion test in CI.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GarbageCollectionPressure
{
    public const string Name = "Garbage collection pressure";
}
