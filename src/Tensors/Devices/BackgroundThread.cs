using System.Runtime.InteropServices;

namespace ActorTrain.Tensors.Devices;

/// <summary>
/// Work that must only use CPU time nobody else wants (an attack beside training): the calling thread gets the lowest
/// scheduling class. On Linux a thread is a task with its own policy: SCHED_IDLE runs it only when no normal task
/// wants the core, and a normal task that wakes up preempts it at once (a nice-19 task instead keeps the core for a
/// wakeup granularity, which message-passing training with its millisecond steps pays for at every hop). Where
/// SCHED_IDLE is refused the thread is set to nice 19; elsewhere .NET's lowest thread priority is used.
/// </summary>
public static partial class BackgroundThread
{
    private const int SchedIdle = 5;
    private const int PrioProcess = 0;
    private const int Nice19 = 19;

    /// <summary>Lowers the calling thread's priority for the rest of its life (call it on a dedicated thread).</summary>
    /// <returns>Whether the priority was lowered.</returns>
    public static bool LowerCurrentThreadPriority()
    {
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                Thread.CurrentThread.Priority = ThreadPriority.Lowest;
                return true;
            }
            var thread = GetThreadId();
            var parameters = new SchedParam();
            return SetScheduler(thread, SchedIdle, ref parameters) == 0 || SetPriority(PrioProcess, thread, Nice19) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    /// <summary>struct sched_param: SCHED_IDLE takes priority 0.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedParam
    {
        public int Priority;
    }

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();

    [LibraryImport("libc", EntryPoint = "sched_setscheduler")]
    private static partial int SetScheduler(int thread, int policy, ref SchedParam parameters);

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);
}
