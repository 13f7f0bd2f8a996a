namespace ActorTrain.Actors.UpdateStream;

/// <summary>
/// A FIFO of at most <see cref="Capacity"/> items that makes room for a new item by dropping the oldest, and
/// counts what it dropped. Enqueue and dequeue are amortized O(1); storage grows on demand, never past capacity.
/// </summary>
internal sealed class DropOldestQueue<T>
{
    private readonly Queue<T> _items = new();

    public DropOldestQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count => _items.Count;

    /// <value>Items dropped to make room, since creation.</value>
    public long Dropped { get; private set; }

    /// <returns>True when the oldest item was dropped to make room.</returns>
    public bool Enqueue(T item)
    {
        var full = _items.Count == Capacity;
        if (full)
        {
            _items.Dequeue();
            Dropped++;
        }
        _items.Enqueue(item);
        return full;
    }

    public bool TryDequeue(out T item) => _items.TryDequeue(out item!);
}
