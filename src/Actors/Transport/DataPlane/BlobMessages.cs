using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>Where a serialized tensor message waits on its sender's data plane, and how to check it.</summary>
/// <param name="Node">Akka address of the sending node.</param>
/// <param name="Host">The sender's data plane host.</param>
/// <param name="Port">The sender's data port.</param>
/// <param name="BlobId">Unique on the sending node for its lifetime.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Crc32C">CRC-32C (Castagnoli) of the bytes.</param>
public sealed record BlobHandle(string Node, string Host, int Port, long BlobId, long Size, uint Crc32C);

/// <summary>
/// Sent (small, over Akka.Remote) to the recipient node's <see cref="TransferInbox"/> in place of a large tensor message:
/// the inbox fetches the blob, decodes it with <paramref name="SerializerId"/> and <paramref name="Manifest"/> and delivers
/// it to <paramref name="Recipient"/> (and <paramref name="MoreRecipients"/>) with the original sender.
/// </summary>
/// <param name="Recipient">Serialized actor path of the final recipient.</param>
/// <param name="MoreRecipients">Further recipients on the same node (fan-out): the blob is fetched and decoded once, and the
/// one message is delivered to each, as messages sent by reference inside a process are.</param>
public sealed record BlobOffer(BlobHandle Handle, int SerializerId, string Manifest, string Recipient, string[]? MoreRecipients = null) : IControlMessage
{
    public IEnumerable<string> Recipients => MoreRecipients is null ? [Recipient] : [Recipient, .. MoreRecipients];
}

/// <summary>
/// The receiving inbox tells the sending node's inbox that a blob could not be fetched (after retries) or was refused:
/// the sender releases it and logs the reason. The message it carried is lost, as if the sender had died; the parameter
/// server's straggler timeout and the workers' re-registration recover.
/// </summary>
public sealed record BlobFailed(long BlobId, string Recipient, string Reason) : IControlMessage;
