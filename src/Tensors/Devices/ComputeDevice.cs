using TorchSharp;

namespace ActorTrain.Tensors.Devices;

/// <summary>
/// The device a worker owns, named as users write it: <c>cpu</c>, <c>cuda</c> (= <c>cuda:0</c>) or <c>cuda:N</c>.
/// </summary>
public sealed record ComputeDevice
{
    private ComputeDevice(string name, int? cudaIndex) => (Name, CudaIndex) = (name, cudaIndex);

    /// <summary>Canonical name: <c>cpu</c> or <c>cuda:N</c>.</summary>
    public string Name { get; }

    /// <summary>The CUDA ordinal, or null for the CPU.</summary>
    public int? CudaIndex { get; }

    public static ComputeDevice Cpu { get; } = new("cpu", null);

    public static ComputeDevice Cuda(int index) => new($"cuda:{index}", index);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>; anything else is a clear error.</summary>
    public static ComputeDevice Parse(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed == "cpu") return Cpu;
        if (trimmed == "cuda") return Cuda(0);
        if (trimmed.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(trimmed.AsSpan(5), out var index) && index >= 0)
            return Cuda(index);
        throw new ArgumentException($"Unknown device '{text}'. Use 'cpu', 'cuda' or 'cuda:N' (N = 0, 1, ...).");
    }

    /// <summary>Every device this process can compute on: each CUDA device TorchSharp reports, else the CPU.</summary>
    public static IReadOnlyList<ComputeDevice> Available()
    {
        var count = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        return count == 0 ? [Cpu] : Enumerable.Range(0, count).Select(Cuda).ToArray();
    }

    /// <summary>The TorchSharp device; fails clearly (<see cref="ArgumentException"/>: a usage error) when a CUDA device is asked for but not present.</summary>
    public torch.Device ToTorch()
    {
        if (CudaIndex is not { } index) return torch.CPU;
        var count = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        if (index >= count)
            throw new ArgumentException(count == 0
                ? $"Device {Name} is not available: TorchSharp sees no CUDA device, so the libtorch it loaded is a CPU build. " +
                  "Run on a CUDA libtorch: publish with deploy/publish.sh --pytorch-libtorch and start the `actortrain-gpu` " +
                  "launcher it writes (it puts a CUDA PyTorch's torch/lib on LD_LIBRARY_PATH; README \"GPU workers\"), " +
                  "or build with -p:TorchSharpBackend=TorchSharp-cuda-linux where your registry serves it; or use --device cpu."
                : $"Device {Name} is not available: TorchSharp sees {count} CUDA device(s), cuda:0 to cuda:{count - 1}. " +
                  "Pick one of those, or leave --device out on a worker node to get one worker per GPU.");
        return new torch.Device(DeviceType.CUDA, index);
    }

    public override string ToString() => Name;
}
