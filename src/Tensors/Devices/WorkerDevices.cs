namespace ActorTrain.Tensors.Devices;

/// <summary>Which device each worker of a node owns.</summary>
public static class WorkerDevices
{
    /// <summary>
    /// A node's workers and their devices. With neither a worker count nor a device given, one worker per device the
    /// process sees (worker i on cuda:i; one CPU worker without CUDA). A given device puts every worker on it; a given
    /// count without a device puts workers on the visible GPUs in turn (cuda:0, cuda:1, …, cuda:0, …), else the CPU.
    /// </summary>
    /// <param name="workers">--workers, or null.</param>
    /// <param name="device">--device (or the config's device when the user set it), or null.</param>
    /// <param name="available">What the process sees (<see cref="ComputeDevice.Available"/>).</param>
    public static IReadOnlyList<ComputeDevice> Plan(int? workers, string? device, IReadOnlyList<ComputeDevice> available)
    {
        if (workers is < 0) throw new ArgumentOutOfRangeException(nameof(workers), workers, "--workers must be 0 or more.");
        if (available.Count == 0) throw new ArgumentException("At least one device (the CPU) is always available.", nameof(available));
        if (device is not null)
        {
            var chosen = ComputeDevice.Parse(device);
            return Enumerable.Repeat(chosen, workers ?? 1).ToArray();
        }
        var count = workers ?? available.Count;
        return Enumerable.Range(0, count).Select(i => available[i % available.Count]).ToArray();
    }
}
