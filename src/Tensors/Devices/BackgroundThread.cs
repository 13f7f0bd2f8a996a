using System.Runtime.InteropServices;

namespace ActorTrain.Tensors.Devices;

/// <summary>
/// Work that must only use CPU time nobody else wants (an attack beside training): the calling thread is given the
/// lowest scheduling priority. On Linux a thread is a task with its own nice value, so setpriority(PRIO_PROCESS, tid,
/// 19) lowers this thread alone; the kernel's fair scheduler then gives it about 1.5 % of a core that a nice-0
/// thread also wants (weights 15 against 1024), and the whole core when the rest idle. Elsewhere .NET's thread
/// priority is used.
/// </summary>
public static partial class BackgroundThread
{
    private const int PrioProcess = 0;
    private const int Lowest = 19;

    /// <summary>Lowers the calling thread's priority for the rest of its life (call it on a dedicated thread).</summary>
    /// <returns>Whether the priority was lowered.</returns>
    public static bool LowerCurrentThreadPriority()
    {
        try
        {
            if (OperatingSystem.IsLinux()) return SetPriority(PrioProcess, GetThreadId(), Lowest) == 0;
            Thread.CurrentThread.Priority = ThreadPriority.Lowest;
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
