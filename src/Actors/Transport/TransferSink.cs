using ActorTrain.Actors.Protocol;
using Akka.Actor;

namespace ActorTrain.Actors.Transport;

/// <summary>
/// Acknowledges what it receives so a sender can time a transfer end to end (`actortrain bench transfer` runs one in its
/// peer process): a <see cref="WorkerUpdate"/> (delivered by whichever route), or a <see cref="FetchBlob"/>, whose blob it
/// fetches over this node's data plane, checks and hands back to the pool without decoding.
/// </summary>
public sealed class TransferSink : ReceiveActor
{
    public const string Name = "transfer-sink";

    public TransferSink()
    {
        Receive<WorkerUpdate>(u => Sender.Tell(new TransferReceived(u.Version, (long)u.Tensors.Values.Length * sizeof(float))));
        ReceiveAsync<FetchBlob>(async f =>
        {
            var plane = DataPlane.DataPlane.For(Context.System);
            var bytes = await plane.FetchAsync(f.Handle);
            plane.Recycle(bytes);
            Sender.Tell(new TransferReceived(0, bytes.LongLength));
        });
    }
}

/// <summary>Asks a <see cref="TransferSink"/> to fetch a blob from the sender's data plane.</summary>
public sealed record FetchBlob(DataPlane.BlobHandle Handle) : IControlMessage;

/// <summary>A <see cref="TransferSink"/>'s acknowledgement.</summary>
/// <param name="Bytes">Bytes of tensor values (a message) or of the blob received.</param>
public sealed record TransferReceived(long Version, long Bytes) : IControlMessage;
