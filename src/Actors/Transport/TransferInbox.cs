using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Transport;

/// <summary>
/// Reassembles chunked tensor messages and delivers them to their recipients with the original sender.
/// Transfers that stop arriving are dropped after a timeout, so a sender that died mid-transfer leaks nothing.
/// </summary>
public sealed class TransferInbox : ReceiveActor, IWithTimers
{
    private static readonly TimeSpan Expiry = TimeSpan.FromSeconds(60);
    private readonly Dictionary<(string Sender, long Id), Assembly> _pending = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public TransferInbox()
    {
        Receive<TransferChunk>(Accept);
        Receive<Sweep>(_ => DropExpired());
        Receive<GetInboxStats>(_ => Sender.Tell(new InboxStats(_pending.Count, Delivered, Expired, Corrupt)));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private long Delivered { get; set; }

    private long Expired { get; set; }

    private long Corrupt { get; set; }

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
        if (chunk.Index != assembly.Received || chunk.Count != assembly.Pieces.Length)
        {
            _log.Warning("Transfer {0} from {1}: chunk {2}/{3} arrived when {4}/{5} was expected; dropping the transfer.",
                chunk.TransferId, Sender, chunk.Index, chunk.Count, assembly.Received, assembly.Pieces.Length);
            _pending.Remove(key);
            Corrupt++;
            return;
        }
        assembly.Pieces[assembly.Received++] = chunk.Bytes;
        assembly.LastArrival = DateTime.UtcNow;
        if (assembly.Received < assembly.Pieces.Length) return;

        _pending.Remove(key);
        var bytes = new byte[assembly.Pieces.Sum(p => p.Length)];
        var offset = 0;
        foreach (var piece in assembly.Pieces)
        {
            piece.CopyTo(bytes, offset);
            offset += piece.Length;
        }
        object message;
        try
        {
            message = Context.System.Serialization.Deserialize(bytes, chunk.SerializerId, chunk.Manifest);
        }
        catch (Exception e)
        {
            _log.Warning("Transfer {0} from {1} ({2} bytes) could not be decoded and was dropped: {3}", chunk.TransferId, Sender, bytes.Length, e.Message);
            Corrupt++;
            return;
        }
        var recipient = ((ExtendedActorSystem)Context.System).Provider.ResolveActorRef(chunk.Recipient);
        recipient.Tell(message, Sender);
        Delivered++;
    }

    private void DropExpired()
    {
        var now = DateTime.UtcNow;
        foreach (var (key, assembly) in _pending.Where(p => now - p.Value.LastArrival > Expiry).ToArray())
        {
            _log.Warning("Transfer {0} from {1} expired after {2}/{3} chunks; its buffers were released.", key.Id, key.Sender, assembly.Received, assembly.Pieces.Length);
            _pending.Remove(key);
            Expired++;
        }
    }

    private sealed class Assembly(int count)
    {
        public byte[][] Pieces { get; } = new byte[count][];

        public int Received { get; set; }

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
public sealed record InboxStats(int Pending, long Delivered, long Expired, long Corrupt) : Protocol.IControlMessage;
