using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Transport;
using ActorTrain.Actors.Transport.DataPlane;
using Akka.Actor;
using Plane = ActorTrain.Actors.Transport.DataPlane.DataPlane;

namespace ActorTrain.Actors.Tests.Transport.DataPlane;

/// <summary>Two actor systems on loopback: large tensor messages take the data plane through <see cref="TensorTransport"/>.</summary>
public sealed class DataPlaneTransportTests : LoopbackPairTestKit
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    public DataPlaneTransportTests() : base(ClusterConfig.SystemName) { }

    [Fact]
    public async Task Send_EightMegabyteUpdate_TakesTheDataPlaneAndArrivesBitExactWithTheOriginalSender()
    {
        var receiver = CreateTestProbe(Remote);
        var update = Update(version: 3, floats: 2_100_000, seed: 5); // 8.4 MB
        update.Tensors.Values[17] = float.NaN;

        TensorTransport.For(Sys).Send(await ResolveFromHere(receiver), update, TestActor);

        var received = receiver.ExpectMsg<WorkerUpdate>(Wait);
        Assert.Equal(update.Tensors.Values.Select(BitConverter.SingleToInt32Bits), received.Tensors.Values.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(("run", 3L, "w0", 64), (received.RunId, received.Version, received.WorkerId, received.BatchSize));
        Assert.Equal(TestActor.Path.ToStringWithoutAddress(), receiver.LastSender.Path.ToStringWithoutAddress());
        var stats = await RemoteInboxStats();
        Assert.Equal((0L, 1L, 0L, 0), (stats.Delivered, stats.BlobsDelivered, stats.BlobsFailed, stats.PendingBlobs));
        await AwaitConditionAsync(() => Task.FromResult(Plane.For(Sys).Stats.HeldBytes == 0), Wait); // the sender let go of it
        Assert.Equal(0, Plane.For(Remote).Stats.ReceivingBytes);
    }

    [Fact]
    public async Task Send_ManyLargeUpdatesFromOneSender_ArriveInTheOrderSent()
    {
        var receiver = CreateTestProbe(Remote);
        var remote = await ResolveFromHere(receiver);
        var transport = TensorTransport.For(Sys);
        // Sizes alternate so that later, smaller fetches could overtake earlier, larger ones.
        for (var version = 1; version <= 12; version++) transport.Send(remote, Update(version, floats: version % 2 == 1 ? 1_500_000 : 70_000, seed: version), TestActor);

        var versions = Enumerable.Range(0, 12).Select(_ => receiver.ExpectMsg<WorkerUpdate>(Wait).Version).ToArray();
        Assert.Equal(Enumerable.Range(1, 12).Select(v => (long)v), versions);
        Assert.Equal(12L, (await RemoteInboxStats()).BlobsDelivered);
    }

    [Fact]
    public async Task SendToAll_ThreeRecipientsOnAnotherNodeAndOneHere_OneFetchServesThatNodeAndEveryoneGetsTheMessage()
    {
        var remoteProbes = Enumerable.Range(0, 3).Select(_ => CreateTestProbe(Remote)).ToArray();
        var local = CreateTestProbe();
        var recipients = new List<IActorRef> { local.Ref };
        foreach (var probe in remoteProbes) recipients.Add(await ResolveFromHere(probe));
        var update = Update(version: 9, floats: 1_000_000, seed: 11);

        TensorTransport.For(Sys).SendToAll(recipients, update, TestActor);

        Assert.Same(update, local.ExpectMsg<WorkerUpdate>(Wait)); // by reference in this process
        foreach (var probe in remoteProbes)
        {
            var received = probe.ExpectMsg<WorkerUpdate>(Wait);
            Assert.Equal(update.Tensors.Values.Select(BitConverter.SingleToInt32Bits), received.Tensors.Values.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal(TestActor.Path.ToStringWithoutAddress(), probe.LastSender.Path.ToStringWithoutAddress());
        }
        var stats = await RemoteInboxStats();
        Assert.Equal((1L, 0L), (stats.BlobsDelivered, stats.Delivered)); // one blob for the three
        Assert.Equal(1L, Plane.For(Remote).Stats.Fetched);
    }

    [Fact]
    public async Task Offer_SenderDiesMidTransfer_NothingIsDeliveredAndEveryBufferIsReleased()
    {
        var receiver = CreateTestProbe(Remote);
        var remote = await ResolveFromHere(receiver);
        var sender = Plane.For(Sys);
        var held = sender.TryOffer(new byte[4 << 20], Akka.Cluster.Cluster.Get(Remote).SelfAddress)!;
        using var dying = new MisbehavingPeer(announcedBytes: 4 << 20); // sends half, then resets: a killed process
        var offer = new BlobOffer(held with { Port = dying.Port }, ActorTrain.Actors.Serialization.TensorMessageSerializer.Id, "update",
            Akka.Serialization.Serialization.SerializedActorPath(remote));

        Remote.ActorSelection(Akka.Cluster.Cluster.Get(Remote).SelfAddress + "/user/" + TensorTransport.InboxName).Tell(offer, TestActor);

        await AwaitConditionAsync(async () => (await RemoteInboxStats()).BlobsFailed == 1, Wait);
        receiver.ExpectNoMsg(TimeSpan.FromMilliseconds(300)); // no partial tensor reaches the recipient
        Assert.Equal(0, (await RemoteInboxStats()).PendingBlobs);
        Assert.Equal(0, Plane.For(Remote).Stats.ReceivingBytes);
        // The receiving inbox told the sending node, which released its copy.
        await AwaitConditionAsync(() => Task.FromResult(sender.Stats.HeldBytes == 0), Wait);
    }

    [Fact]
    public async Task ReceiverLeavesTheCluster_ItsUnfetchedBlobsAreReleased()
    {
        await EmbeddedCluster.JoinSelf(Sys, CancellationToken.None);
        var joined = new TaskCompletionSource();
        Akka.Cluster.Cluster.Get(Remote).RegisterOnMemberUp(() => joined.TrySetResult());
        Akka.Cluster.Cluster.Get(Remote).Join(Akka.Cluster.Cluster.Get(Sys).SelfAddress);
        await joined.Task.WaitAsync(Wait);
        var plane = Plane.For(Sys);
        for (var i = 0; i < 3; i++) Assert.NotNull(plane.TryOffer(new byte[1 << 20], Akka.Cluster.Cluster.Get(Remote).SelfAddress));
        Assert.Equal(3L << 20, plane.Stats.HeldBytes);

        await Akka.Cluster.Cluster.Get(Remote).LeaveAsync(); // nobody will fetch those blobs

        await AwaitConditionAsync(() => Task.FromResult(plane.Stats.HeldBytes == 0), Wait);
        Assert.Equal(0, plane.Stats.HeldBlobs);
    }

    private static WorkerUpdate Update(long version, int floats, int seed)
    {
        var random = new Random(seed);
        var values = new float[floats];
        for (var i = 0; i < values.Length; i++) values[i] = (float)random.NextDouble() - 0.5f;
        return new WorkerUpdate("run", version, "w0", 64, 0.5, UpdateKind.Gradient, new TensorSet(["all"], [[values.Length]], values));
    }

    private async Task<InboxStats> RemoteInboxStats()
    {
        var inbox = await Remote.ActorSelection("/user/" + TensorTransport.InboxName).ResolveOne(TimeSpan.FromSeconds(5));
        return await inbox.Ask<InboxStats>(new GetInboxStats(), TimeSpan.FromSeconds(5));
    }
}
