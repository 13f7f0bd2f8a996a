namespace ActorTrain.Tensors.Devices;

/// <summary>
/// A thread put at background priority (<see cref="BackgroundThread"/>) by itself, and put back to normal by whoever
/// knows that the work it must not slow is over.
/// </summary>
public sealed class LoweredThread
{
    private int _threadId;

    /// <summary>Lowers the calling thread and remembers it.</summary>
    /// <returns>Whether the priority was lowered.</returns>
    public bool LowerCurrent()
    {
        var lowered = BackgroundThread.LowerCurrentThreadPriority(out var threadId);
        Volatile.Write(ref _threadId, threadId);
        return lowered;
    }

    /// <summary>Back to normal priority, from any thread.</summary>
    /// <returns>False when no thread was lowered yet, or the kernel refused.</returns>
    public bool Restore() => BackgroundThread.RestorePriority(Volatile.Read(ref _threadId));
}
