using System.Runtime.Serialization;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Serialization;
using ActorTrain.Actors.Transport;
using ActorTrain.Tensors.Data;
using Akka.Actor;
using Akka.Serialization;

namespace ActorTrain.Actors.Tests.Serialization;

public sealed class SerializationTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serialization", TestSpecs.Cluster());

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public void EveryActorTrainMessage_IsBoundToAnActorTrainSerializer_NeverJson()
    {
        var messageTypes = typeof(IActorTrainMessage).Assembly.GetTypes()
            .Where(t => typeof(IActorTrainMessage).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
            .ToArray();
        Assert.True(messageTypes.Length >= 10, $"found only {messageTypes.Length} message types");
        foreach (var type in messageTypes)
        {
            var serializer = _system.Serialization.FindSerializerForType(type);
            Assert.False(serializer is NewtonSoftJsonSerializer, $"{type.Name} would be serialized as JSON");
            Assert.True(serializer.Identifier is HyperionControlSerializer.Id or TensorMessageSerializer.Id, $"{type.Name} → {serializer.GetType().Name}");
        }
    }

    public static TheoryData<IActorTrainMessage> Messages => new()
    {
        new RegisterWorker("127.0.0.1:4054/w0", "cpu"),
        new Welcome(TestSpecs.Spec("local-sgd")),
        new Welcome(TestSpecs.Spec() with { Model = "wordmlp", Dataset = "fortunes", Fortunes = new FortunesOptions(5000, 3, 0.2, 7, "04c0439") }),
        new UpdateRejected("run", 3, "w", "stale version 3 (current 5)"),
        new RunFinished("run", 42),
        new WorkerReady("run", "w1"),
        new SubscribeUpdates("run"),
        new UpdatesSubscribed("run"),
        new GetServerStatus(),
        ServerUnavailable.Instance,
        new ServerStatus("run", 3, 2, 1, 1, 4, false),
        new StepApplied("run", 7, ["a", "b"], 64, 0.25),
        new StepOrder("run", 5, 32, ["a", "b"], Set(1000)),
        new WorkerUpdate("run", 5, "a", 32, 0.5, UpdateKind.WeightDelta, Set(1000)),
        new TransferChunk(9, 1, 3, TensorMessageSerializer.Id, "update", "akka.tcp://actortrain@h:1/user/x#1", [1, 2, 3]),
        new ActorTrain.Actors.Transport.DataPlane.BlobOffer(new("akka.tcp://actortrain@h:1", "h", 40123, long.MaxValue - 3, 1L << 33, 0xDEADBEEF),
            TensorMessageSerializer.Id, "order", "akka.tcp://actortrain@h:2/user/worker-w0#5"),
        new ActorTrain.Actors.Transport.DataPlane.BlobFailed(17, "akka.tcp://actortrain@h:2/user/worker-w0#5", "CRC-32C mismatch"),
        new WorkerUpdate("run", 6, "b", 4, 0.25, UpdateKind.Gradient, Set(8), [3, 1, 4, 1]),
        new WorkerUpdate("run", 7, "c", 4, 0.25, UpdateKind.Gradient, Set(8) with { Values = [] }, [2],
            ActorTrain.Tensors.Compression.UpdateCodec.Encode([0, 0, 1.5f, 0, 0, 0, -2, 0], ActorTrain.Tensors.Compression.UpdateEncoding.Sparse)),
        new ActorTrain.Actors.ParameterServer.StepCommitted(4, ["a", "b"], 64, 0.7, UpdateKind.WeightDelta, [1.5f, -2, 0]),
        new ActorTrain.Actors.ParameterServer.ServerSnapshot(100, 6400, [1, 2, 3], 100, [[0.5f, 0.25f, 0], [1, 1, 1]]),
        new ActorTrain.Actors.Recording.UpdateCaptured("run", 2, "w", 8, 0.1, ["p.w", "p.b"], [[2, 1], [1]], true, [0, 60, 0, 188, 0, 0]),
        new ActorTrain.Actors.Recording.LabelsRecorded("run", 2, "w", [7, 7, 1]),
        new WorkerUpdate("run", 8, "d", 2, 0.25, UpdateKind.Gradient, Set(8), [3, 1], Inputs: [0.5f, -1.25f, 2, 0]),
        new SubscribeUpdates("run", WithWeights: true),
        new UpdateDemand("run", 3),
        new UpdateWithheld("run", 12, "w1"),
        new WorkerUpdate("run", 9, "e", 2, 0.25, UpdateKind.Gradient, Set(8), [3, 1], Inputs: [0.5f, -1.25f, 2, 0], Weights: [1, -2, 3.5f, 0, 0, 0, 7, -0.125f]),
        new WorkerUpdate("run", 9, "e", 2, 0.25, UpdateKind.Gradient, Set(8), Weights: [1, -2, 3.5f, 0, 0, 0, 7, -0.125f]),
        new UpdateInverted("run", 9, "e", 2, [1, 3], [1, 3], 1.0, 0.01, 20.0, 0.8, 0.05, 300, 1.5),
        new UpdateInverted("run", 9, "e", 2, [1, 3], null, null, null, null, null, 0.05, 300, 1.5),
        new GradientInversionReport("rlg", 300, 1, 2, 10, 10, 0.01, 20.0, 0.8, 1.0),
        new ActorTrain.Actors.Recording.WeightsCaptured("run", 2, ["p.w", "p.b"], [[2, 1], [1]], true, [0, 60, 0, 188, 0, 0]),
        new ActorTrain.Actors.Recording.InputsRecorded("run", 2, "w", [0.5f, -1.25f, 2]),
        new Welcome(TestSpecs.Spec() with { Split = new SplitSpec("act1", 0.5, "laplace", 0.1, AverageEvery: 10, AverageTimeout: TimeSpan.FromSeconds(5)) }),
        new SplitStart("run", ["a", "b"], 32, Round: 4),
        new SplitFedCollect("run", 3),
        new SplitBatchDropped("run", 17),
        new SegmentWeights("run", "a", 3, SegmentWeightsKind.Report, 640, Set(1000)),
        new SegmentWeights("run", "", 3, SegmentWeightsKind.Average, 0, new TensorSet([], [], [])), // "keep your segment"
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void RoundTrip_EveryMessageKind_PreservesContent(IActorTrainMessage message)
    {
        var serializer = _system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, message));
        Assert.Equal(Describe(message), Describe(back));
    }

    [Fact]
    public void WorkerUpdate_WithWeights_TravelsUnderItsOwnManifest_LeavingThePlainLayoutAsItWas()
    {
        var plain = new WorkerUpdate("run", 1, "w", 8, 0.1, UpdateKind.Gradient, Set(64), [1, 2], Inputs: [0.5f]);
        var weighted = plain with { Weights = Enumerable.Range(0, 64).Select(i => i * 0.25f).ToArray() };
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(plain);

        var (plainBytes, weightedBytes) = (serializer.ToBinary(plain), serializer.ToBinary(weighted));

        Assert.Equal("update", serializer.Manifest(plain));
        Assert.Equal("weighted", serializer.Manifest(weighted));
        // Only the weights section is added: i32 length + one codec payload (24-byte header, 64 floats, CRC-32C); the tail
        // (tensor-set header and values) is the plain layout's.
        Assert.Equal(4 + 24 + 64 * 4 + 4, weightedBytes.Length - plainBytes.Length);
        Assert.Equal(plainBytes.AsSpan(plainBytes.Length - 200).ToArray(), weightedBytes.AsSpan(weightedBytes.Length - 200).ToArray());
        Assert.Equal(weighted.Weights, ((WorkerUpdate)serializer.FromBinary(weightedBytes, "weighted")).Weights);
        Assert.Null(((WorkerUpdate)serializer.FromBinary(plainBytes, "update")).Weights);
    }

    [Fact]
    public void WorkerUpdate_CorruptTensorByte_IsASerializationError()
    {
        var update = new WorkerUpdate("run", 1, "w", 8, 0.1, UpdateKind.Gradient, Set(64));
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(update);
        var bytes = serializer.ToBinary(update);
        bytes[^100] ^= 0x01;
        var error = Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "update"));
        Assert.Contains("checksum mismatch", error.Message);
    }

    [Fact]
    public void WorkerUpdate_Truncated_IsASerializationError()
    {
        var update = new WorkerUpdate("run", 1, "w", 8, 0.1, UpdateKind.Gradient, Set(64));
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(update);
        var bytes = serializer.ToBinary(update);
        Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes[..40], "update"));
    }

    [Theory]
    [InlineData("topk")]
    [InlineData("fp16")]
    [InlineData("sign")]
    public void WorkerUpdate_Compressed_TravelsSmallerAndDecodesToTheSentValues(string compression)
    {
        var options = compression == "fp16"
            ? new ActorTrain.Tensors.Compression.UpdateTransformOptions(Half: true)
            : new ActorTrain.Tensors.Compression.UpdateTransformOptions(Compression: compression, Ratio: 0.01);
        var dense = Set(10_000);
        var pipeline = new ActorTrain.Tensors.Compression.UpdatePipeline(options, [5000, 5000], seed: 1);
        var (sent, packed) = pipeline.Apply((float[])dense.Values.Clone());
        var plain = new WorkerUpdate("run", 1, "w", 8, 0.1, UpdateKind.Gradient, dense);
        var update = plain with { Tensors = dense with { Values = [] }, Compressed = packed };
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(update);

        var bytes = serializer.ToBinary(update);
        var back = (WorkerUpdate)serializer.FromBinary(bytes, serializer.Manifest(update));

        Assert.Equal("packed", serializer.Manifest(update));
        var limit = compression switch { "topk" => 0.04, "fp16" => 0.51, _ => 0.05 }; // 8 of 400 bytes per 100 entries; 2 of 4; ~1 bit of 32
        Assert.True(bytes.Length < limit * serializer.ToBinary(plain).Length, $"{bytes.Length} bytes compressed vs {serializer.ToBinary(plain).Length} plain");
        Assert.Equal(sent, ActorTrain.Tensors.Compression.UpdateCodec.Decode(back.Compressed!, [5000, 5000]));
    }

    [Fact]
    public void WorkerUpdate_CompressedPayloadCorrupt_IsASerializationError()
    {
        var packed = ActorTrain.Tensors.Compression.UpdateCodec.Encode(new float[1000], ActorTrain.Tensors.Compression.UpdateEncoding.Half);
        var update = new WorkerUpdate("run", 1, "w", 8, 0.1, UpdateKind.Gradient, Set(1000) with { Values = [] }, null, packed);
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(update);
        var bytes = serializer.ToBinary(update);
        bytes[^50] ^= 0x10;
        Assert.Contains("checksum mismatch", Assert.Throws<SerializationException>(() => serializer.FromBinary(bytes, "packed")).Message);
    }

    public static TheoryData<object, string> StoredMessages => new()
    {
        { new ActorTrain.Actors.ParameterServer.StepCommitted(4, ["a", "b"], 64, 0.7, UpdateKind.Gradient, new float[64]), "committed" },
        { new ActorTrain.Actors.ParameterServer.ServerSnapshot(100, 6400, new float[64], 100, [new float[64]]), "snapshot" },
        { new ActorTrain.Actors.Recording.UpdateCaptured("run", 2, "w", 8, 0.1, ["p.w"], [[32]], false, new byte[128]), "captured" },
        { new ActorTrain.Actors.Recording.WeightsCaptured("run", 2, ["p.w"], [[32]], false, new byte[128]), "weights" },
    };

    [Theory]
    [MemberData(nameof(StoredMessages))]
    public void JournalRow_CorruptTensorByte_DecodesToUndecodableEvent_NamingTheManifestAndReason(object message, string manifest)
    {
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        bytes[^10] ^= 0x01; // inside the values, which the CRC-32C covers

        var bad = Assert.IsType<ActorTrain.Actors.Recording.UndecodableEvent>(serializer.FromBinary(bytes, manifest));
        Assert.Equal(manifest, bad.Manifest);
        Assert.Equal(bytes.Length, bad.Length);
        Assert.Contains("checksum mismatch", bad.Reason);
    }

    [Theory]
    [MemberData(nameof(StoredMessages))]
    public void JournalRow_Truncated_DecodesToUndecodableEvent(object message, string manifest)
    {
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message)[..20];
        Assert.Equal(20, Assert.IsType<ActorTrain.Actors.Recording.UndecodableEvent>(serializer.FromBinary(bytes, manifest)).Length);
    }

    [Fact]
    public void StepCommitted_UnknownUpdateKind_IsUndecodable_NotAppliedAsAGradient()
    {
        var step = new ActorTrain.Actors.ParameterServer.StepCommitted(4, ["a"], 8, 0.7, UpdateKind.WeightDelta, [1, 2]);
        var serializer = (TensorMessageSerializer)_system.Serialization.FindSerializerFor(step);
        var bytes = serializer.ToBinary(step);
        var kindAt = 8 + 4 + 2 + 4 + 8; // step, string count, "a" (length-prefixed), samples, loss
        Assert.Equal((byte)UpdateKind.WeightDelta, bytes[kindAt]);
        bytes[kindAt] = 9;
        Assert.Contains("unknown update kind 9", Assert.IsType<ActorTrain.Actors.Recording.UndecodableEvent>(serializer.FromBinary(bytes, "committed")).Reason);
    }

    private static TensorSet Set(int n) =>
        new(["hidden1.weight", "projection.bias"], [[n / 2, 2], [0]], Enumerable.Range(0, n).Select(i => i * 0.5f - 3).ToArray());

    /// <summary>Records with arrays compare by reference; compare their content through a canonical text.</summary>
    private static string Describe(object message) => message switch
    {
        StepOrder o => $"{o.RunId}|{o.Version}|{o.WorkerBatchSize}|{string.Join(",", o.ShardMembers)}|{Describe(o.Weights)}",
        WorkerUpdate u => $"{u.RunId}|{u.Version}|{u.WorkerId}|{u.BatchSize}|{u.Loss}|{u.Kind}|{Describe(u.Tensors)}|{(u.Labels is null ? "-" : string.Join(",", u.Labels))}|{(u.Inputs is null ? "-" : string.Join(",", u.Inputs))}"
                          + (u.Compressed is { } c ? $"|{c.Encoding}|{c.Length}|{Convert.ToHexString(c.Payload)}" : "")
                          + (u.Weights is { } w ? $"|weights {string.Join(",", w)}" : ""),
        UpdateInverted i => $"{i with { Labels = [], TrueLabels = null }}|{string.Join(",", i.Labels)}|{(i.TrueLabels is null ? "-" : string.Join(",", i.TrueLabels))}",
        ActorTrain.Actors.ParameterServer.StepCommitted c => $"{c.Step}|{string.Join(",", c.Workers)}|{c.Samples}|{c.Loss}|{c.Kind}|{string.Join(",", c.Aggregate)}",
        ActorTrain.Actors.ParameterServer.ServerSnapshot s => $"{s.Version}|{s.Samples}|{string.Join(",", s.Weights)}|{s.OptimizerSteps}|{string.Join(";", s.OptimizerBuffers.Select(b => string.Join(",", b)))}",
        ActorTrain.Actors.Recording.UpdateCaptured c => $"{c.RunId}|{c.Version}|{c.WorkerId}|{c.BatchSize}|{c.Loss}|{string.Join(",", c.Names)}|{string.Join(";", c.Shapes.Select(s => string.Join("x", s)))}|{c.Half}|{Convert.ToHexString(c.Payload)}",
        ActorTrain.Actors.Recording.LabelsRecorded l => $"{l.RunId}|{l.Version}|{l.WorkerId}|{string.Join(",", l.Labels)}",
        ActorTrain.Actors.Recording.WeightsCaptured w => $"{w.RunId}|{w.Version}|{string.Join(",", w.Names)}|{string.Join(";", w.Shapes.Select(s => string.Join("x", s)))}|{w.Half}|{Convert.ToHexString(w.Payload)}",
        ActorTrain.Actors.Recording.InputsRecorded i => $"{i.RunId}|{i.Version}|{i.WorkerId}|{string.Join(",", i.Values)}",
        TransferChunk c => $"{c.TransferId}|{c.Index}|{c.Count}|{c.SerializerId}|{c.Manifest}|{c.Recipient}|{Convert.ToHexString(c.Bytes)}",
        StepApplied s => $"{s.RunId}|{s.Step}|{string.Join(",", s.Workers)}|{s.Samples}|{s.MeanLoss}",
        Welcome w => $"{w.Spec with { Hidden = [] }}|{string.Join(",", w.Spec.Hidden)}",
        SplitStart s => $"{s.RunId}|{string.Join(",", s.Members)}|{s.BatchSize}|{s.Round}",
        SegmentWeights w => $"{w.RunId}|{w.WorkerId}|{w.Round}|{w.Kind}|{w.Samples}|{Describe(w.Weights)}",
        _ => message.ToString()!,
    };

    private static string Describe(TensorSet set) =>
        $"{string.Join(",", set.Names)}|{string.Join(";", set.Shapes.Select(s => string.Join("x", s)))}|{string.Join(",", set.Values)}";
}
