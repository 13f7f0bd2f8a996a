using System.Collections.Concurrent;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// The outgoing blobs a node offers until their receivers fetch them: released when the receiver confirms it has them
/// (checksum good), when the receiver gives up, when the receiving node leaves the cluster, or after the time to live.
/// Holds at most <c>maxBytes</c>: an offer beyond that is refused, and the sender falls back to chunked Akka messages.
/// A released blob's array goes back to the <see cref="BlobPool"/> once no connection is still writing it.
/// </summary>
internal sealed class BlobStore(long maxBytes, BlobPool? pool = null)
{
    private readonly ConcurrentDictionary<long, Blob> _blobs = new();
    private long _heldBytes;
    private long _released;
    private long _nextId = Random.Shared.NextInt64(1, long.MaxValue / 2); // a restarted node never serves an old handle's id

    /// <value>Bytes of the blobs held now.</value>
    public long HeldBytes => Interlocked.Read(ref _heldBytes);

    public int HeldBlobs => _blobs.Count;

    /// <summary>Blobs released by a confirmed fetch, a receiver that gave up or left, or their time to live.</summary>
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

    /// <summary>The blob's bytes for one write; dispose the lease when the write is done. Null: not held (any more).</summary>
    public Lease? TryLease(long id)
    {
        if (!_blobs.TryGetValue(id, out var blob)) return null;
        lock (blob)
        {
            if (blob.Released) return null;
            blob.Writers++;
        }
        return new Lease(this, blob);
    }

    public bool Release(long id)
    {
        if (!_blobs.TryRemove(id, out var blob)) return false;
        Interlocked.Add(ref _heldBytes, -blob.Bytes.Length);
        Interlocked.Increment(ref _released);
        lock (blob)
        {
            blob.Released = true;
            if (blob.Writers == 0) pool?.Return(blob.Bytes);
        }
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

    private void EndLease(Blob blob)
    {
        lock (blob)
        {
            blob.Writers--;
            if (blob.Released && blob.Writers == 0) pool?.Return(blob.Bytes);
        }
    }

    /// <summary>A connection writing a blob: its array is not reused until every lease on it ends.</summary>
    public sealed class Lease(BlobStore store, Blob blob) : IDisposable
    {
        private int _disposed;

        public byte[] Bytes => blob.Bytes;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) store.EndLease(blob);
        }
    }

    internal sealed class Blob(byte[] bytes, string receiverNode, DateTime offered)
    {
        public byte[] Bytes { get; } = bytes;

        public string ReceiverNode { get; } = receiverNode;

        public DateTime Offered { get; } = offered;

        /// <summary>Connections writing it now (guarded by the blob's lock).</summary>
        public int Writers { get; set; }

        public bool Released { get; set; }
    }
}
