using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActorTrain.Tensors.Devices;

/// <summary>
/// Makes libtorch's OpenMP threads sleep when idle instead of spinning (OMP_WAIT_POLICY=PASSIVE), unless the user
/// set a policy. ActorTrain runs several TorchSharp threads per process (parameter server, workers, tap, defense)
/// and often several processes per machine; spinning pools starve each other. Measured on 2 cores: `run --steps 300`
/// 12,310 → 16,269 samples/s; a split-learning step across two processes 170 ms → 13 ms.
/// </summary>
internal static partial class OpenMpWaitPolicy
{
    private const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Runs when this assembly is first used, before any TorchSharp call loads libtorch (and its libgomp, which reads the variable once).</summary>
#pragma warning disable CA2255 // deliberate: it must run before the first libtorch call, whichever host (CLI, test runner) makes it
    [ModuleInitializer]
    internal static void Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) is not null) return;
        // .NET keeps its own copy of the environment on Unix; native libraries read the C library's.
        _ = SetEnvironment(Variable, "PASSIVE", overwrite: 0);
        Environment.SetEnvironmentVariable(Variable, "PASSIVE");
    }
#pragma warning restore CA2255

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
