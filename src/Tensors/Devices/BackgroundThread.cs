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

    private const int SchedOther = 0;

    /// <summary>Lowers the calling thread's priority (call it on a dedicated thread) until <see cref="RestorePriority"/>.</summary>
    /// <returns>Whether the priority was lowered.</returns>
    public static bool LowerCurrentThreadPriority() => LowerCurrentThreadPriority(out _);

    /// <param name="threadId">The kernel's id of the calling thread (Linux), for <see cref="RestorePriority"/> from another thread; 0 elsewhere.</param>
    public static bool LowerCurrentThreadPriority(out int threadId)
    {
        threadId = 0;
        try
        {
            if (OperatingSystem.IsLinux()) threadId = GetThreadId();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
        }
        return Lower();
    }

    /// <summary>
    /// Puts a thread lowered by <see cref="LowerCurrentThreadPriority(out int)"/> back to the normal class (SCHED_OTHER,
    /// nice 0), from any thread: when the work it must not slow is over, the rest should not starve behind other programs.
    /// </summary>
    /// <returns>Whether the kernel took it (Linux; false for id 0 or where it is refused).</returns>
    public static bool RestorePriority(int threadId)
    {
        if (threadId == 0 || !OperatingSystem.IsLinux()) return false;
        try
        {
            var parameters = new SchedParam();
            var policy = SetScheduler(threadId, SchedOther, ref parameters) == 0;
            return SetPriority(PrioProcess, threadId, 0) == 0 && policy;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static bool Lower()
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
