namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// Bounds the bytes of receive buffers in flight: a fetch waits until its size fits (first come, first served). A
/// fetch larger than the whole budget proceeds alone, so one large tensor is never refused outright.
/// </summary>
internal sealed class ReceiveBudget(long capacity)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<(long Bytes, TaskCompletionSource Ready)> _waiting = new();
    private long _inUse;

    /// <value>Bytes of receive buffers held now.</value>
    public long InUse
    {
        get
        {
            lock (_lock) return _inUse;
        }
    }

    public async Task AcquireAsync(long bytes, CancellationToken cancellation)
    {
        TaskCompletionSource ready;
        LinkedListNode<(long, TaskCompletionSource)> node;
        lock (_lock)
        {
            if (_waiting.Count == 0 && Fits(bytes))
            {
                _inUse += bytes;
                return;
            }
            ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            node = _waiting.AddLast((bytes, ready));
        }
        try
        {
            await ready.Task.WaitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiting.Remove(node);
                    throw;
                }
            }
            Release(bytes); // granted just as it was cancelled: hand the bytes back
            throw;
        }
    }

    public void Release(long bytes)
    {
        lock (_lock)
        {
            _inUse -= bytes;
            while (_waiting.First is { } first && Fits(first.Value.Bytes))
            {
                _waiting.RemoveFirst();
                _inUse += first.Value.Bytes;
                first.Value.Ready.SetResult();
            }
        }
    }

    private bool Fits(long bytes) => _inUse == 0 || _inUse + bytes <= capacity;
}
