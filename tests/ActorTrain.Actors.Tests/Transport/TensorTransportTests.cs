using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Transport;
using Akka.Actor;

namespace ActorTrain.Actors.Tests.Transport;

/// <summary>Two actor systems on loopback: tensor messages cross Akka.Remote in chunks and arrive intact.</summary>
public sealed class TensorTransportTests : LoopbackPairTestKit
{
    [Fact]
    public async Task Send_TenMegabyteUpdate_ArrivesBitExactWithTheOriginalSender()
    {
        var receiver = CreateTestProbe(Remote);
        var remoteReceiver = await ResolveFromHere(receiver);
        var values = new float[2_600_000]; // 10.4 MB: 20+ chunks of 512 KiB
        var random = new Random(5);
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble() - 0.5f;
        values[17] = float.NaN;
        var update = new WorkerUpdate("run", 3, "w0", 64, 0.5, UpdateKind.Gradient, new TensorSet(["all"], [[values.Length]], values));

        TensorTransport.For(Sys).Send(remoteReceiver, update, TestActor, TransferRoute.Chunked);

        var received = receiver.ExpectMsg<WorkerUpdate>(TimeSpan.FromSeconds(30));
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), received.Tensors.Values.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(("run", 3L, "w0", 64), (received.RunId, received.Version, received.WorkerId, received.BatchSize));
        Assert.Equal(TestActor.Path.ToStringWithoutAddress(), receiver.LastSender.Path.ToStringWithoutAddress());

        var inbox = await Remote.ActorSelection("/user/" + TensorTransport.InboxName).ResolveOne(TimeSpan.FromSeconds(5));
        var stats = await inbox.Ask<InboxStats>(new GetInboxStats(), TimeSpan.FromSeconds(5));
        Assert.Equal((0, 1L, 0L, 0L, 0L, 0L), (stats.Pending, stats.Delivered, stats.Expired, stats.Corrupt, stats.Oversized, stats.BlobsDelivered));
    }

    [Fact]
    public async Task Send_SmallUpdate_TravelsWhole()
    {
        var receiver = CreateTestProbe(Remote);
        var update = new WorkerUpdate("run", 1, "w0", 8, 0.5, UpdateKind.Gradient, new TensorSet(["b"], [[4]], [1, 2, 3, 4]));
        TensorTransport.For(Sys).Send(await ResolveFromHere(receiver), update, TestActor);
        Assert.Equal([1f, 2, 3, 4], receiver.ExpectMsg<WorkerUpdate>(TimeSpan.FromSeconds(10)).Tensors.Values);
    }
}
