namespace ActorTrain.Actors.Workers;

/// <summary>What a worker needs from its node; the run itself comes from the parameter server.</summary>
/// <param name="WorkerId">Unique in the cluster and stable for this worker's life, e.g. "127.0.0.1:4054/w0".</param>
/// <param name="Device">cpu | cuda:N: the device this worker owns.</param>
/// <param name="FashionMnistDirectory">Where this node keeps Fashion-MNIST.</param>
/// <param name="RegisterInterval">How often to (re)register while the parameter server has given no work.</param>
/// <param name="OnFinished">Called when the run is over (the node may shut down).</param>
/// <param name="OnFailed">Called when the worker cannot take part (e.g. its data is missing); it stops.</param>
/// <param name="Threads">TorchSharp threads for this worker's thread (0 = TorchSharp's default, every core).</param>
/// <param name="FortunesDirectory">Where this node keeps the fortune files; null: the environment variable or the default
/// (<see cref="ActorTrain.Tensors.Data.Fortunes.ResolveDirectory"/>).</param>
/// <param name="Transforms">What this worker does to each update before it leaves: clipping and noise, compression,
/// fp16 (docs/defenses.md, "Worker-side defenses"); null sends updates as computed.</param>
public sealed record WorkerSettings(
    string WorkerId,
    string Device,
    string FashionMnistDirectory,
    TimeSpan RegisterInterval,
    Action<string>? OnFinished = null,
    Action<Exception>? OnFailed = null,
    int Threads = 0,
    string? FortunesDirectory = null,
    ActorTrain.Tensors.Compression.UpdateTransformOptions? Transforms = null);
