using ActorTrain.Tensors.Devices;

namespace ActorTrain.Tensors.Tests.Devices;

public sealed class BackgroundThreadTests
{
    /// <summary>The scheduling policy of the calling thread as the kernel states it: field 41 of /proc/thread-self/stat.</summary>
    private static int CurrentPolicy()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        // Field 2 (the command) may hold spaces: count the fields after its closing parenthesis, which is field 3.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[41 - 3]);
    }

    [Fact]
    public void LowerCurrentThreadPriority_PutsThatThreadAloneInSchedIdle()
    {
        (bool Lowered, int Before, int After) seen = default;

        var thread = new Thread(() =>
        {
            var before = CurrentPolicy();
            var lowered = BackgroundThread.LowerCurrentThreadPriority();
            seen = (lowered, before, CurrentPolicy());
        });
        thread.Start();
        thread.Join();

        Assert.Equal((true, 0, 5), seen); // SCHED_OTHER (0) → SCHED_IDLE (5)
        Assert.Equal(0, CurrentPolicy()); // the calling thread is untouched
    }

    [Fact]
    public void LoweredThread_RestoredFromAnotherThread_IsBackInTheNormalClass()
    {
        var lowered = new LoweredThread();
        using var isLowered = new ManualResetEventSlim();
        using var restored = new ManualResetEventSlim();
        (int Lowered, int Restored) seen = default;

        var thread = new Thread(() =>
        {
            lowered.LowerCurrent();
            var whileLowered = CurrentPolicy();
            isLowered.Set();
            restored.Wait();
            seen = (whileLowered, CurrentPolicy());
        });
        Assert.False(lowered.Restore()); // nothing lowered yet
        thread.Start();
        Assert.True(isLowered.Wait(TimeSpan.FromSeconds(10)));
        Assert.True(lowered.Restore());
        restored.Set();
        thread.Join();

        Assert.Equal((5, 0), seen); // SCHED_IDLE while lowered, SCHED_OTHER once restored from here
    }
}
