using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Transport;
using Akka.Actor;
using Akka.Serialization;
using Akka.TestKit.Xunit2;

namespace ActorTrain.Actors.Tests.Transport;

/// <summary>
/// A <see cref="TransferInbox"/> with a small size limit is sent chunks by hand, as a faulty or hostile node could:
/// a transfer larger than the limit is dropped with a logged reason before it is held in memory, and the inbox goes on
/// delivering.
/// </summary>
public sealed class TransferInboxTests : TestKit
{
    private const long Limit = 1000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    public TransferInboxTests() : base(TestSpecs.Cluster())
    {
    }

    [Fact]
    public async Task TransfersOverTheLimit_AreDroppedWithALoggedReason_AndTheNextOneIsDelivered()
    {
        var inbox = Sys.ActorOf(Props.Create(() => new TransferInbox(Limit)));
        var recipient = CreateTestProbe();
        var update = new WorkerUpdate("run", 1, "w0", 8, 0.5, UpdateKind.Gradient, new TensorSet(["b"], [[4]], [1, 2, 3, 4]));
        var serializer = (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(update);
        var bytes = serializer.ToBinary(update);
        TransferChunk Chunk(long id, int index, int count, byte[] piece) =>
            new(id, index, count, serializer.Identifier, serializer.Manifest(update), Akka.Serialization.Serialization.SerializedActorPath(recipient.Ref), piece);

        // Announced: 2^31 - 1 chunks of 600 bytes. Refused at the first chunk, so nothing sized by the count is allocated.
        EventFilter.Warning(contains: $"Dropping transfer 1 from {TestActor}: {int.MaxValue} chunks of 600 bytes exceed actortrain.transport.max-transfer-bytes ({Limit} bytes)")
            .ExpectOne(() => inbox.Tell(Chunk(1, 0, int.MaxValue, new byte[600])));
        // Announced small, but the chunks are larger than they should be: refused when the received bytes pass the limit.
        EventFilter.Warning(contains: "Dropping transfer 2").ExpectOne(() =>
        {
            for (var i = 0; i < 3; i++) inbox.Tell(Chunk(2, i, 3, new byte[400]));
        });

        var half = bytes.Length / 2;
        inbox.Tell(Chunk(3, 0, 2, bytes[..half]));
        inbox.Tell(Chunk(3, 1, 2, bytes[half..]));

        Assert.Equal([1f, 2, 3, 4], recipient.ExpectMsg<WorkerUpdate>(Wait).Tensors.Values);
        var stats = await inbox.Ask<InboxStats>(new GetInboxStats(), Wait);
        Assert.Equal((0, 1L, 0L, 2L), (stats.Pending, stats.Delivered, stats.Corrupt, stats.Oversized));
    }
}
