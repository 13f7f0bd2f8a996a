using ActorTrain.Actors.Transport.DataPlane;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Transport;

/// <summary>
/// The inbox's data plane side: for each <see cref="BlobOffer"/> it fetches the blob (the fetch checks size and
/// CRC-32C and retries), then decodes and delivers it. Offers from one sender are delivered in the order they arrived,
/// as chunked transfers are, even when a later fetch finishes first. A fetch that fails after its retries is never
/// delivered, in part or whole: the sending node is told (<see cref="BlobFailed"/>) and releases its copy.
/// </summary>
public sealed partial class TransferInbox
{
    private readonly DataPlane.DataPlane _dataPlane;

    /// <summary>Offers per sender actor, oldest first, until delivered in that order.</summary>
    private readonly Dictionary<IActorRef, Queue<PendingBlob>> _blobQueues = new();

    private long BlobsDelivered { get; set; }

    private long BlobsFailed { get; set; }

    private void AcceptOffer(BlobOffer offer)
    {
        var pending = new PendingBlob(offer, Sender);
        if (offer.Handle.Size > _maxBytes)
        {
            Oversized++;
            GiveUp(pending, $"{offer.Handle.Size} bytes exceed actortrain.transport.max-transfer-bytes ({_maxBytes} bytes)");
            return;
        }
        if (!_blobQueues.TryGetValue(Sender, out var queue)) _blobQueues[Sender] = queue = new Queue<PendingBlob>();
        queue.Enqueue(pending);
        var self = Self;
        _dataPlane.FetchAsync(offer.Handle).ContinueWith(
            t => self.Tell(new BlobFetched(pending, t.IsCompletedSuccessfully ? t.Result : null, t.Exception?.GetBaseException())),
            TaskContinuationOptions.ExecuteSynchronously);
    }

    private void OnFetched(BlobFetched fetched)
    {
        fetched.Pending.Bytes = fetched.Bytes;
        fetched.Pending.Error = fetched.Error ?? (fetched.Bytes is null ? new DataPlaneException("the fetch ended without bytes") : null);
        var sender = fetched.Pending.Sender;
        if (!_blobQueues.TryGetValue(sender, out var queue)) return;
        while (queue.TryPeek(out var head) && (head.Bytes is not null || head.Error is not null))
        {
            queue.Dequeue();
            var offer = head.Offer;
            if (head.Error is { } error) GiveUp(head, error.Message);
            else
            {
                if (Deliver(head.Bytes!, offer.SerializerId, offer.Manifest, offer.Recipients, sender, $"Blob {offer.Handle.BlobId}")) BlobsDelivered++;
                else GiveUp(head, "it did not decode");
                _dataPlane.Recycle(head.Bytes!); // decoding copied the values out
            }
            head.Bytes = null;
        }
        if (queue.Count == 0) _blobQueues.Remove(sender);
    }

    private void GiveUp(PendingBlob pending, string reason)
    {
        var handle = pending.Offer.Handle;
        BlobsFailed++;
        _log.Warning("Blob {0} ({1} bytes) from {2} for {3} was not delivered: {4}", handle.BlobId, handle.Size, handle.Node, pending.Offer.Recipient, reason);
        Context.ActorSelection($"{handle.Node}/user/{TensorTransport.InboxName}").Tell(new BlobFailed(handle.BlobId, pending.Offer.Recipient, reason));
    }

    /// <summary>A receiver gave up on one of this node's blobs.</summary>
    private void OnBlobFailed(BlobFailed failed)
    {
        _dataPlane.Release(failed.BlobId);
        _log.Warning("Blob {0} for {1} was not delivered by {2}: {3}. Released it.", failed.BlobId, failed.Recipient, Sender.Path.Address, failed.Reason);
    }

    private sealed class PendingBlob(BlobOffer offer, IActorRef sender)
    {
        public BlobOffer Offer { get; } = offer;

        public IActorRef Sender { get; } = sender;

        public byte[]? Bytes { get; set; }

        public Exception? Error { get; set; }
    }

    private sealed record BlobFetched(PendingBlob Pending, byte[]? Bytes, Exception? Error);
}
