using ActorTrain.Actors.Protocol;
using Akka.Actor;
using Akka.Serialization;

namespace ActorTrain.Actors.Transport;

/// <summary>
/// Sends tensor messages: by reference to actors in this process (no copy), whole when the serialized message
/// fits in one chunk, else as <see cref="TransferChunk"/>s below Akka.Remote's frame size to the recipient
/// node's <see cref="TransferInbox"/>. Akka keeps messages between one sender and one receiver in order, so
/// the chunks of a transfer arrive in order.
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

    public void Send(IActorRef recipient, ITensorMessage message, IActorRef sender)
    {
        if (recipient.Path.Address.HasLocalScope || recipient.Path.Address.Equals(_system.Provider.DefaultAddress))
        {
            recipient.Tell(message, sender);
            return;
        }
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
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

/// <summary>Akka extension plumbing for <see cref="TensorTransport"/>.</summary>
public sealed class TensorTransportProvider : ExtensionIdProvider<TensorTransport>
{
    public override TensorTransport CreateExtension(ExtendedActorSystem system) => new(system);
}
