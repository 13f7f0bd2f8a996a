using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Transport;

/// <summary>
/// Reassembles chunked tensor messages and delivers them to their recipients with the original sender.
/// Transfers that stop arriving are dropped after a timeout, so a sender that died mid-transfer leaks nothing; one
/// larger than <c>actortrain.transport.max-transfer-bytes</c> is dropped as soon as that shows, before it fills memory.
/// It also fetches the blobs offered over the data plane (TransferInbox.DataPlane.cs).
/// </summary>
public sealed partial class TransferInbox : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(60);
    private readonly Dictionary<(string Sender, long Id), Assembly> _pending = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _maxBytes;

    /// <param name="maxTransferBytes">Largest serialized message accepted; at most <see cref="Array.MaxLength"/> (one byte array).</param>
    public TransferInbox(long maxTransferBytes)
    {
        _maxBytes = Math.Min(maxTransferBytes, Array.MaxLength);
        _dataPlane = DataPlane.DataPlane.For(Context.System);
        Receive<TransferChunk>(Accept);
        Receive<Sweep>(_ => DropExpired());
        Receive<DataPlane.BlobOffer>(AcceptOffer);
        Receive<BlobFetched>(OnFetched);
        Receive<DataPlane.BlobFailed>(OnBlobFailed);
        Receive<GetInboxStats>(_ => Sender.Tell(new InboxStats(_pending.Count, Delivered, Expired, Corrupt, Oversized,
            _blobQueues.Values.Sum(q => q.Count), BlobsDelivered, BlobsFailed)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private long Delivered { get; set; }

    private long Expired { get; set; }

    private long Corrupt { get; set; }

    private long Oversized { get; set; }

    protected override void PreStart() => Timers.StartPeriodicTimer("sweep", Sweep.Instance, TimeSpan.FromSeconds(10));

    private void Accept(TransferChunk chunk)
    {
        var key = (Sender.Path.ToString(), chunk.TransferId);
        if (!_pending.TryGetValue(key, out var assembly))
        {
            if (chunk.Index != 0 || chunk.Count < 1)
            {
                _log.Warning("Dropping chunk {0}/{1} of transfer {2} from {3}: its transfer was never started or already expired.",
                    chunk.Index, chunk.Count, chunk.TransferId, Sender);
                Corrupt++;
                return;
            }
            _pending[key] = assembly = new Assembly(chunk.Count);
        }
        if (chunk.Index != assembly.Received || chunk.Count != assembly.Count)
        {
            _log.Warning("Transfer {0} from {1}: chunk {2}/{3} arrived when {4}/{5} was expected; dropping the transfer.",
                chunk.TransferId, Sender, chunk.Index, chunk.Count, assembly.Received, assembly.Count);
            _pending.Remove(key);
            Corrupt++;
            return;
        }
        // Every chunk but the last is as large as the first: (count - 1) of them already tell the least size.
        var announced = Math.Max(assembly.Bytes + chunk.Bytes.Length, (long)(chunk.Count - 1) * chunk.Bytes.Length);
        if (announced > _maxBytes)
        {
            _log.Warning("Dropping transfer {0} from {1}: {2} chunks of {3} bytes exceed actortrain.transport.max-transfer-bytes ({4} bytes).",
                chunk.TransferId, Sender, chunk.Count, chunk.Bytes.Length, _maxBytes);
            _pending.Remove(key);
            Oversized++;
            return;
        }
        assembly.Pieces.Add(chunk.Bytes);
        assembly.Bytes += chunk.Bytes.Length;
        assembly.LastArrival = DateTime.UtcNow;
        if (assembly.Received < assembly.Count) return;

        _pending.Remove(key);
        var bytes = new byte[assembly.Bytes];
        var offset = 0;
        foreach (var piece in assembly.Pieces)
        {
            piece.CopyTo(bytes, offset);
            offset += piece.Length;
        }
        if (Deliver(bytes, chunk.SerializerId, chunk.Manifest, chunk.Recipient, Sender, $"Transfer {chunk.TransferId}")) Delivered++;
        else Corrupt++;
    }

    /// <summary>Decodes a whole serialized message and delivers it with its original sender; false (logged) when it does not decode.</summary>
    private bool Deliver(byte[] bytes, int serializerId, string manifest, string recipientPath, IActorRef sender, string what) =>
        Deliver(bytes, serializerId, manifest, [recipientPath], sender, what);

    /// <summary>Decodes once and delivers the one message to every recipient (all on this node).</summary>
    private bool Deliver(byte[] bytes, int serializerId, string manifest, IEnumerable<string> recipientPaths, IActorRef sender, string what)
    {
        object message;
        try
        {
            message = Context.System.Serialization.Deserialize(bytes, serializerId, manifest);
        }
        catch (Exception e)
        {
            _log.Warning("{0} from {1} ({2} bytes) could not be decoded and was dropped: {3}", what, sender, bytes.Length, e.Message);
            return false;
        }
        foreach (var recipientPath in recipientPaths)
            ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(recipientPath).Tell(message, sender);
        return true;
    }

    private void DropExpired()
    {
        var now = DateTime.UtcNow;
        foreach (var (key, assembly) in _pending.Where(p => now - p.Value.LastArrival > Expiry).ToArray())
        {
            _log.Warning("Transfer {0} from {1} expired after {2}/{3} chunks; its buffers were released.", key.Id, key.Sender, assembly.Received, assembly.Count);
            _pending.Remove(key);
            Expired++;
        }
    }

    /// <summary>The chunks so far; their list grows as they arrive, so an announced count reserves nothing.</summary>
    private sealed class Assembly(int count)
    {
        public int Count { get; } = count;

        public List<byte[]> Pieces { get; } = [];

        public int Received => Pieces.Count;

        /// <value>Bytes received so far.</value>
        public long Bytes { get; set; }

        public DateTime LastArrival { get; set; } = DateTime.UtcNow;
    }

    private sealed class Sweep
    {
        public static readonly Sweep Instance = new();
    }
}

/// <summary>Ask a <see cref="TransferInbox"/> for its counters.</summary>
public sealed record GetInboxStats : Protocol.IControlMessage;

/// <summary>A <see cref="TransferInbox"/>'s counters.</summary>
/// <param name="Pending">Transfers started but not complete (their buffers are held).</param>
/// <param name="Oversized">Transfers dropped for exceeding actortrain.transport.max-transfer-bytes.</param>
/// <param name="PendingBlobs">Data plane offers being fetched or waiting for an earlier one from the same sender.</param>
/// <param name="BlobsDelivered">Messages fetched over the data plane, checked and delivered.</param>
/// <param name="BlobsFailed">Data plane offers given up (fetch failed after retries, refused, oversized or undecodable): never delivered.</param>
public sealed record InboxStats(int Pending, long Delivered, long Expired, long Corrupt, long Oversized, int PendingBlobs, long BlobsDelivered, long BlobsFailed)
    : Protocol.IControlMessage;
