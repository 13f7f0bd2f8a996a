using System.Collections.Concurrent;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// Arrays of exact lengths, kept for reuse: serialized messages on the sender and receive buffers on the receiver.
/// Training sends the same sizes every step, so after the first step the data plane touches no fresh memory. That
/// matters: a fresh array's pages fault in on first touch, measured here at about 8 ms per MB (64 MB: 0.5 s), more
/// than the transfer itself. Holds at most <c>capacity</c> bytes; arrays beyond that are left to the garbage collector.
/// </summary>
internal sealed class BlobPool(long capacity)
{
    private readonly ConcurrentDictionary<int, ConcurrentBag<byte[]>> _free = new();
    private long _pooledBytes;

    /// <value>Bytes of the arrays waiting for reuse.</value>
    public long PooledBytes => Interlocked.Read(ref _pooledBytes);

    public byte[] Rent(int length)
    {
        if (length > 0 && _free.TryGetValue(length, out var bag) && bag.TryTake(out var array))
        {
            Interlocked.Add(ref _pooledBytes, -length);
            return array;
        }
        return length == 0 ? [] : GC.AllocateUninitializedArray<byte>(length);
    }

    public void Return(byte[] array)
    {
        if (array.Length == 0) return;
        if (Interlocked.Add(ref _pooledBytes, array.Length) > capacity)
        {
            Interlocked.Add(ref _pooledBytes, -array.Length);
            return;
        }
        _free.GetOrAdd(array.Length, _ => []).Add(array);
    }
}
