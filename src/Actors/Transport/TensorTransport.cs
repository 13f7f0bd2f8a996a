using ActorTrain.Actors.Protocol;
using Akka.Actor;
using Akka.Serialization;

namespace ActorTrain.Actors.Transport;

/// <summary>
/// The one way workers, the parameter server, the split server and the update stream send tensor messages: by
/// reference to actors in this process (no copy); to another node, over the data plane when the serialized message is
/// at least <c>actortrain.transport.data-plane.threshold-bytes</c> (only a <see cref="DataPlane.BlobOffer"/> crosses
/// Akka.Remote; the recipient's node fetches the bytes), else whole when it fits in one chunk, else as
/// <see cref="TransferChunk"/>s below Akka.Remote's frame size to the recipient node's <see cref="TransferInbox"/>.
/// Chunks are also the fallback when the data plane is off or its store is full. Akka keeps messages between one
/// sender and one receiver in order, so the chunks of a transfer arrive in order.
/// </summary>
public sealed class TensorTransport : IExtension
{
    /// <summary>Name of the inbox actor every node runs under /user.</summary>
    public const string InboxName = "tensor-inbox";

    private readonly ExtendedActorSystem _system;
    private long _nextTransferId;

    public TensorTransport(ExtendedActorSystem system)
    {
        _system = system;
        ChunkBytes = system.Settings.Config.GetInt("actortrain.transport.chunk-bytes", 512 * 1024);
        var frame = system.Settings.Config.GetByteSize("akka.remote.dot-netty.tcp.maximum-frame-size") ?? 128_000;
        if (system.Provider is Akka.Remote.IRemoteActorRefProvider && ChunkBytes + 1024 > frame)
            throw new Akka.Configuration.ConfigurationException(
                $"actortrain.transport.chunk-bytes ({ChunkBytes}) must stay at least 1 KiB below akka.remote.dot-netty.tcp.maximum-frame-size ({frame}).");
    }

    /// <value>Largest chunk payload in bytes.</value>
    public int ChunkBytes { get; }

    public static TensorTransport For(ActorSystem system) => system.WithExtension<TensorTransport, TensorTransportProvider>();

    /// <summary>Starts this node's inbox; call once per actor system before tensors arrive.</summary>
    public IActorRef StartInbox()
    {
        var maxBytes = _system.Settings.Config.GetLong("actortrain.transport.max-transfer-bytes", int.MaxValue);
        return _system.ActorOf(Props.Create(() => new TransferInbox(maxBytes)), InboxName);
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="recipient"/> as if told by <paramref name="sender"/>.</summary>
    /// <param name="route">Auto: by size (above). The others force a route across nodes (benchmarks, tests).</param>
    public void Send(IActorRef recipient, ITensorMessage message, IActorRef sender, TransferRoute route = TransferRoute.Auto)
    {
        if (recipient.Path.Address.HasLocalScope || recipient.Path.Address.Equals(_system.Provider.DefaultAddress))
        {
            recipient.Tell(message, sender);
            return;
        }
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
        var dataPlane = DataPlane.DataPlane.For(_system);
        var bytes = Serialize(serializer, message, dataPlane);
        if (TryOffer(dataPlane, bytes, [recipient], serializer, message, sender, route)) return;
        try
        {
            SendOverAkka(recipient, message, sender, serializer, bytes);
        }
        finally
        {
            dataPlane.Recycle(bytes); // whole messages travel by reference, chunks as copies
        }
    }

    /// <summary>
    /// Sends one message to several recipients (the parameter server's weights to every worker of a step): by reference
    /// to those in this process, and to each other node once — one blob fetched and decoded once there, the message
    /// delivered to each of its recipients — so the sender uploads once per node, not once per worker.
    /// </summary>
    public void SendToAll(IReadOnlyCollection<IActorRef> recipients, ITensorMessage message, IActorRef sender)
    {
        var dataPlane = DataPlane.DataPlane.For(_system);
        foreach (var node in recipients.GroupBy(r => r.Path.Address))
        {
            var group = node.ToArray();
            if (group.Length == 1 || node.Key.HasLocalScope || node.Key.Equals(_system.Provider.DefaultAddress))
            {
                foreach (var recipient in group) Send(recipient, message, sender);
                continue;
            }
            var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
            var bytes = Serialize(serializer, message, dataPlane);
            if (TryOffer(dataPlane, bytes, group, serializer, message, sender, TransferRoute.Auto)) continue;
            try
            {
                foreach (var recipient in group) SendOverAkka(recipient, message, sender, serializer, bytes);
            }
            finally
            {
                dataPlane.Recycle(bytes);
            }
        }
    }

    private static byte[] Serialize(SerializerWithStringManifest serializer, ITensorMessage message, DataPlane.DataPlane dataPlane) =>
        serializer is Serialization.TensorMessageSerializer tensors ? tensors.ToBinary(message, dataPlane.Rent) : serializer.ToBinary(message);

    /// <summary>Offers the bytes on the data plane to the recipients' node (all on one node) when the route and size call for it.</summary>
    private bool TryOffer(DataPlane.DataPlane dataPlane, byte[] bytes, IActorRef[] recipients, SerializerWithStringManifest serializer, ITensorMessage message,
        IActorRef sender, TransferRoute route)
    {
        var useDataPlane = route == TransferRoute.DataPlane || (route == TransferRoute.Auto && bytes.Length >= dataPlane.Settings.ThresholdBytes);
        if (!useDataPlane || dataPlane.TryOffer(bytes, recipients[0].Path.Address) is not { } handle) return false;
        var paths = recipients.Select(Akka.Serialization.Serialization.SerializedActorPath).ToArray();
        _system.ActorSelection(recipients[0].Path.Root / "user" / InboxName)
            .Tell(new DataPlane.BlobOffer(handle, serializer.Identifier, serializer.Manifest(message), paths[0], paths.Length > 1 ? paths[1..] : null), sender);
        return true;
    }

    private void SendOverAkka(IActorRef recipient, ITensorMessage message, IActorRef sender, SerializerWithStringManifest serializer, byte[] bytes)
    {
        if (bytes.Length <= ChunkBytes)
        {
            recipient.Tell(message, sender);
            return;
        }
        var inbox = _system.ActorSelection(recipient.Path.Root / "user" / InboxName);
        var id = Interlocked.Increment(ref _nextTransferId);
        var count = (bytes.Length + ChunkBytes - 1) / ChunkBytes;
        var path = Akka.Serialization.Serialization.SerializedActorPath(recipient);
        var manifest = serializer.Manifest(message);
        for (var i = 0; i < count; i++)
        {
            var start = i * ChunkBytes;
            var piece = bytes.AsSpan(start, Math.Min(ChunkBytes, bytes.Length - start)).ToArray();
            inbox.Tell(new TransferChunk(id, i, count, serializer.Identifier, manifest, path, piece), sender);
        }
    }
}

/// <summary>How <see cref="TensorTransport.Send"/> carries a message to another node.</summary>
public enum TransferRoute
{
    /// <summary>The data plane from its threshold up, else Akka messages.</summary>
    Auto,

    /// <summary>Akka messages (whole or chunked) whatever the size.</summary>
    Chunked,

    /// <summary>The data plane whatever the size (chunks when it is not running or full).</summary>
    DataPlane,
}

/// <summary>Akka extension plumbing for <see cref="TensorTransport"/>.</summary>
public sealed class TensorTransportProvider : ExtensionIdProvider<TensorTransport>
{
    public override TensorTransport CreateExtension(ExtendedActorSystem system) => new(system);
}
