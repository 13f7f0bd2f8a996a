using System.Collections.Concurrent;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// The outgoing blobs a node offers until their receivers fetch them: released when the receiver confirms it has them
/// (checksum good), when the receiving node leaves the cluster, or after the time to live. Holds at most
/// <c>maxBytes</c>: an offer beyond that is refused, and the sender falls back to chunked Akka messages.
/// </summary>
internal sealed class BlobStore(long maxBytes)
{
    private readonly ConcurrentDictionary<long, Blob> _blobs = new();
    private long _heldBytes;
    private long _released;
    private long _nextId = Random.Shared.NextInt64(1, long.MaxValue / 2); // a restarted node never serves an old handle's id

    /// <value>Bytes of the blobs held now.</value>
    public long HeldBytes => Interlocked.Read(ref _heldBytes);

    public int HeldBlobs => _blobs.Count;

    /// <summary>Blobs released by a confirmed fetch, a departed receiver or their time to live.</summary>
    public long Released => Interlocked.Read(ref _released);

    /// <returns>The blob's id, or null when holding it would exceed the limit.</returns>
    public long? TryAdd(byte[] bytes, string receiverNode, DateTime now)
    {
        if (Interlocked.Add(ref _heldBytes, bytes.Length) > maxBytes && bytes.Length > 0)
        {
            Interlocked.Add(ref _heldBytes, -bytes.Length);
            return null;
        }
        var id = Interlocked.Increment(ref _nextId);
        _blobs[id] = new Blob(bytes, receiverNode, now);
        return id;
    }

    public byte[]? TryGet(long id) => _blobs.TryGetValue(id, out var blob) ? blob.Bytes : null;

    public bool Release(long id)
    {
        if (!_blobs.TryRemove(id, out var blob)) return false;
        Interlocked.Add(ref _heldBytes, -blob.Bytes.Length);
        Interlocked.Increment(ref _released);
        return true;
    }

    /// <summary>Releases every blob offered to <paramref name="receiverNode"/> (it left the cluster).</summary>
    public int ReleaseFor(string receiverNode) => ReleaseWhere(b => b.ReceiverNode == receiverNode);

    /// <summary>Releases blobs offered before <paramref name="cutoff"/>.</summary>
    public int ReleaseOfferedBefore(DateTime cutoff) => ReleaseWhere(b => b.Offered < cutoff);

    private int ReleaseWhere(Func<Blob, bool> predicate)
    {
        var count = 0;
        foreach (var (id, blob) in _blobs)
            if (predicate(blob) && Release(id))
                count++;
        return count;
    }

    private sealed record Blob(byte[] Bytes, string ReceiverNode, DateTime Offered);
}
