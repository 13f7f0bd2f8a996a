using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.Transport;

/// <summary>
/// One piece of a serialized tensor message on its way to <paramref name="Recipient"/>, sent to the
/// <see cref="TransferInbox"/> of the recipient's node, which reassembles and delivers the message.
/// </summary>
/// <param name="TransferId">Unique per sending node and transfer.</param>
/// <param name="Recipient">Serialized actor path of the final recipient.</param>
public sealed record TransferChunk(long TransferId, int Index, int Count, int SerializerId, string Manifest, string Recipient, byte[] Bytes)
    : ITensorMessage;
