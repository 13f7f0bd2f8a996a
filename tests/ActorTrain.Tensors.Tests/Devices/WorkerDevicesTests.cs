using ActorTrain.Tensors.Devices;

namespace ActorTrain.Tensors.Tests.Devices;

public sealed class WorkerDevicesTests
{
    private static readonly ComputeDevice[] TwoGpus = [ComputeDevice.Cuda(0), ComputeDevice.Cuda(1)];
    private static readonly ComputeDevice[] CpuOnly = [ComputeDevice.Cpu];

    private static string[] Names(IReadOnlyList<ComputeDevice> devices) => devices.Select(d => d.Name).ToArray();

    [Fact]
    public void Plan_NothingGiven_OneWorkerPerGpu()
    {
        Assert.Equal(["cuda:0", "cuda:1"], Names(WorkerDevices.Plan(null, null, TwoGpus)));
        Assert.Equal(["cpu"], Names(WorkerDevices.Plan(null, null, CpuOnly)));
    }

    [Fact]
    public void Plan_CountWithoutDevice_SpreadsOverTheGpusInTurn()
    {
        Assert.Equal(["cuda:0", "cuda:1", "cuda:0"], Names(WorkerDevices.Plan(3, null, TwoGpus)));
        Assert.Equal(["cpu", "cpu"], Names(WorkerDevices.Plan(2, null, CpuOnly)));
        Assert.Empty(WorkerDevices.Plan(0, null, TwoGpus));
    }

    [Fact]
    public void Plan_DeviceGiven_PutsEveryWorkerOnIt()
    {
        Assert.Equal(["cuda:1", "cuda:1"], Names(WorkerDevices.Plan(2, "cuda:1", TwoGpus)));
        Assert.Equal(["cpu"], Names(WorkerDevices.Plan(null, "cpu", TwoGpus)));
    }

    [Fact]
    public void Plan_BadInput_IsAClearError()
    {
        Assert.Contains("'cpu', 'cuda' or 'cuda:N'", Assert.Throws<ArgumentException>(() => WorkerDevices.Plan(1, "gpu", CpuOnly)).Message);
        Assert.Contains("--workers", Assert.Throws<ArgumentOutOfRangeException>(() => WorkerDevices.Plan(-1, null, CpuOnly)).Message);
    }
}
