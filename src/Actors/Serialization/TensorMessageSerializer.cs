using System.Text;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Transport;
using Akka.Actor;
using Akka.Serialization;

namespace ActorTrain.Actors.Serialization;

/// <summary>
/// Serializes <see cref="ITensorMessage"/>s: control fields in a compact binary form, tensor values as one
/// codec payload (raw little-endian float32, CRC-32C; see docs/wire-format.md). A corrupt message on the wire raises
/// <see cref="System.Runtime.Serialization.SerializationException"/>, which Akka logs and drops. A corrupt journal
/// row (manifests "committed", "snapshot", "captured", "weights") decodes to <see cref="Recording.UndecodableEvent"/>
/// instead: thrown inside the journal plugin, the error would fail the whole replay without naming the event.
/// </summary>
public sealed class TensorMessageSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int Id = 1101;

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        StepOrder => "order",
        WorkerUpdate { Compressed: not null } => "packed",
        WorkerUpdate { Weights: not null } => "weighted",
        WorkerUpdate => "update",
        TransferChunk => "chunk",
        ParameterServer.StepCommitted => "committed",
        ParameterServer.ServerSnapshot => "snapshot",
        Recording.UpdateCaptured => "captured",
        Recording.WeightsCaptured => "weights",
        SplitTensors => "split",
        SegmentWeights => "segment",
        _ => throw new ArgumentException($"{o.GetType()} is not a tensor message this serializer knows."),
    };

    public override byte[] ToBinary(object obj) => ToBinary(obj, null);

    /// <summary>As <see cref="ToBinary(object)"/>; the array that holds the tensor values comes from <paramref name="allocate"/>
    /// (given the exact length), so the data plane can serialize into pooled arrays.</summary>
    public byte[] ToBinary(object obj, Func<int, byte[]>? allocate)
    {
        using var prefix = new MemoryStream();
        using var writer = new BinaryWriter(prefix, Encoding.UTF8, leaveOpen: true);
        switch (obj)
        {
            case StepOrder order:
                writer.Write(order.RunId);
                writer.Write(order.Version);
                writer.Write(order.WorkerBatchSize);
                BinaryFields.WriteStrings(writer, order.ShardMembers);
                BinaryFields.WriteTensorSetHeader(writer, order.Weights);
                writer.Flush();
                return BinaryFields.Concat(prefix, order.Weights.Values, allocate);
            case WorkerUpdate update:
                writer.Write(update.RunId);
                writer.Write(update.Version);
                writer.Write(update.WorkerId);
                writer.Write(update.BatchSize);
                writer.Write(update.Loss);
                writer.Write((byte)update.Kind);
                BinaryFields.WriteLabels(writer, update.Labels);
                writer.Write(update.Inputs is not null);
                if (update.Inputs is { } inputs) BinaryFields.WriteValues(writer, inputs);
                // A manifest of its own, so "update" and "packed" keep their layout: only a weighted update has this field.
                if (update.Weights is { } computedOn && update.Compressed is null) BinaryFields.WriteValues(writer, computedOn);
                BinaryFields.WriteTensorSetHeader(writer, update.Tensors);
                if (update.Compressed is { } packed)
                {
                    writer.Write((byte)packed.Encoding);
                    writer.Write(packed.Length);
                    writer.Flush();
                    return BinaryFields.Concat(prefix, packed.Payload);
                }
                writer.Flush();
                return BinaryFields.Concat(prefix, update.Tensors.Values, allocate);
            case SplitTensors split:
                writer.Write(split.RunId);
                writer.Write(split.WorkerId);
                writer.Write(split.Step);
                writer.Write((byte)split.Kind);
                writer.Write(split.Loss);
                BinaryFields.WriteLabels(writer, split.Labels);
                BinaryFields.WriteTensorSetHeader(writer, split.Tensors);
                writer.Flush();
                return BinaryFields.Concat(prefix, split.Tensors.Values, allocate);
            case SegmentWeights segment:
                writer.Write(segment.RunId);
                writer.Write(segment.WorkerId);
                writer.Write(segment.Round);
                writer.Write((byte)segment.Kind);
                writer.Write(segment.Samples);
                BinaryFields.WriteTensorSetHeader(writer, segment.Weights);
                writer.Flush();
                return BinaryFields.Concat(prefix, segment.Weights.Values, allocate);
            case TransferChunk chunk:
                writer.Write(chunk.TransferId);
                writer.Write(chunk.Index);
                writer.Write(chunk.Count);
                writer.Write(chunk.SerializerId);
                writer.Write(chunk.Manifest);
                writer.Write(chunk.Recipient);
                writer.Write(chunk.Bytes.Length);
                writer.Write(chunk.Bytes);
                writer.Flush();
                return prefix.ToArray();
            case ParameterServer.StepCommitted step:
                writer.Write(step.Step);
                BinaryFields.WriteStrings(writer, step.Workers);
                writer.Write(step.Samples);
                writer.Write(step.Loss);
                writer.Write((byte)step.Kind);
                writer.Flush();
                return BinaryFields.Concat(prefix, step.Aggregate, allocate);
            case Recording.UpdateCaptured captured:
                writer.Write(captured.RunId);
                writer.Write(captured.Version);
                writer.Write(captured.WorkerId);
                writer.Write(captured.BatchSize);
                writer.Write(captured.Loss);
                writer.Write(captured.Half);
                BinaryFields.WriteTensorSetHeader(writer, new TensorSet(captured.Names, captured.Shapes, []));
                BinaryFields.WriteBytes(writer, captured.Half ? Tensors.Wire.WireDType.Float16 : Tensors.Wire.WireDType.Float32, captured.Payload);
                writer.Write((byte)captured.Kind);
                writer.Flush();
                return prefix.ToArray();
            case Recording.WeightsCaptured weights:
                writer.Write(weights.RunId);
                writer.Write(weights.Version);
                writer.Write(weights.Half);
                BinaryFields.WriteTensorSetHeader(writer, new TensorSet(weights.Names, weights.Shapes, []));
                BinaryFields.WriteBytes(writer, weights.Half ? Tensors.Wire.WireDType.Float16 : Tensors.Wire.WireDType.Float32, weights.Payload);
                writer.Flush();
                return prefix.ToArray();
            case ParameterServer.ServerSnapshot snapshot:
                writer.Write(snapshot.Version);
                writer.Write(snapshot.Samples);
                writer.Write(snapshot.OptimizerSteps);
                writer.Write(snapshot.OptimizerBuffers.Length);
                foreach (var buffer in snapshot.OptimizerBuffers) BinaryFields.WriteValues(writer, buffer);
                writer.Flush();
                return BinaryFields.Concat(prefix, snapshot.Weights, allocate);
            default:
                throw new ArgumentException($"{obj.GetType()} is not a tensor message this serializer knows.");
        }
    }

    /// <summary>Manifests that only the journal and snapshot store read.</summary>
    private static bool IsStored(string manifest) => manifest is "committed" or "snapshot" or "captured" or "weights";

    public override object FromBinary(byte[] bytes, string manifest)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(bytes, writable: false), Encoding.UTF8);
            switch (manifest)
            {
                case "order":
                {
                    var (run, version, batch) = (reader.ReadString(), reader.ReadInt64(), reader.ReadInt32());
                    var members = BinaryFields.ReadStrings(reader);
                    var (names, shapes) = BinaryFields.ReadTensorSetHeader(reader);
                    var values = BinaryFields.ReadValues(bytes, (int)reader.BaseStream.Position);
                    return new StepOrder(run, version, batch, members, new TensorSet(names, shapes, values));
                }
                case "update" or "packed" or "weighted":
                {
                    var (run, version, worker, batch, loss) = (reader.ReadString(), reader.ReadInt64(), reader.ReadString(), reader.ReadInt32(), reader.ReadDouble());
                    var kind = (UpdateKind)reader.ReadByte();
                    var labels = BinaryFields.ReadLabels(reader);
                    var inputs = reader.ReadBoolean() ? BinaryFields.ReadValues(reader, bytes) : null;
                    var computedOn = manifest == "weighted" ? BinaryFields.ReadValues(reader, bytes) : null;
                    var (names, shapes) = BinaryFields.ReadTensorSetHeader(reader);
                    if (manifest == "packed")
                    {
                        var encoding = (Tensors.Compression.UpdateEncoding)reader.ReadByte();
                        if (!Enum.IsDefined(encoding)) throw new InvalidDataException($"unknown update encoding {(byte)encoding}");
                        var length = reader.ReadInt32();
                        var payload = BinaryFields.ReadPayload(bytes, (int)reader.BaseStream.Position);
                        return new WorkerUpdate(run, version, worker, batch, loss, kind, new TensorSet(names, shapes, []), labels,
                            new Tensors.Compression.CompressedUpdate(encoding, length, payload), inputs);
                    }
                    var values = BinaryFields.ReadValues(bytes, (int)reader.BaseStream.Position);
                    return new WorkerUpdate(run, version, worker, batch, loss, kind, new TensorSet(names, shapes, values), labels, Inputs: inputs, Weights: computedOn);
                }
                case "split":
                {
                    var (run, worker, step, kind, loss) = (reader.ReadString(), reader.ReadString(), reader.ReadInt64(), (SplitPayload)reader.ReadByte(), reader.ReadDouble());
                    if (!Enum.IsDefined(kind)) throw new InvalidDataException($"unknown split payload {(byte)kind}");
                    var labels = BinaryFields.ReadLabels(reader);
                    var (names, shapes) = BinaryFields.ReadTensorSetHeader(reader);
                    var values = BinaryFields.ReadValues(bytes, (int)reader.BaseStream.Position);
                    return new SplitTensors(run, worker, step, kind, new TensorSet(names, shapes, values), labels, loss);
                }
                case "segment":
                {
                    var (run, worker, round, kind, samples) = (reader.ReadString(), reader.ReadString(), reader.ReadInt64(), (SegmentWeightsKind)reader.ReadByte(), reader.ReadInt64());
                    if (!Enum.IsDefined(kind)) throw new InvalidDataException($"unknown segment weights kind {(byte)kind}");
                    var (names, shapes) = BinaryFields.ReadTensorSetHeader(reader);
                    var values = BinaryFields.ReadValues(bytes, (int)reader.BaseStream.Position);
                    return new SegmentWeights(run, worker, round, kind, samples, new TensorSet(names, shapes, values));
                }
                case "chunk":
                {
                    var (id, index, count) = (reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
                    var (serializer, innerManifest, recipient) = (reader.ReadInt32(), reader.ReadString(), reader.ReadString());
                    var length = reader.ReadInt32();
                    if (length < 0 || length > bytes.Length) throw new InvalidDataException($"chunk claims {length} bytes");
                    return new TransferChunk(id, index, count, serializer, innerManifest, recipient, reader.ReadBytes(length));
                }
                case "committed":
                {
                    var step = reader.ReadInt64();
                    var workers = BinaryFields.ReadStrings(reader);
                    var (samples, loss, kind) = (reader.ReadInt32(), reader.ReadDouble(), (UpdateKind)reader.ReadByte());
                    // The checksum covers the values only: a garbled kind would silently apply a delta as a gradient.
                    if (!Enum.IsDefined(kind)) throw new InvalidDataException($"unknown update kind {(byte)kind}");
                    return new ParameterServer.StepCommitted(step, workers, samples, loss, kind,
                        BinaryFields.ReadValues(bytes, (int)reader.BaseStream.Position));
                }
                case "captured":
                {
                    var (run, version, worker, batch, loss, half) =
                        (reader.ReadString(), reader.ReadInt64(), reader.ReadString(), reader.ReadInt32(), reader.ReadDouble(), reader.ReadBoolean());
                    var (names, shapes) = BinaryFields.ReadTensorSetHeader(reader);
                    var payload = BinaryFields.ReadBytes(reader, bytes, half ? Tensors.Wire.WireDType.Float16 : Tensors.Wire.WireDType.Float32);
                    // Recordings written before the kind was stored end here; they were all gradients.
                    var kind = reader.BaseStream.Position < bytes.Length ? (UpdateKind)reader.ReadByte() : UpdateKind.Gradient;
                    if (!Enum.IsDefined(kind)) throw new InvalidDataException($"unknown update kind {(byte)kind}");
                    return new Recording.UpdateCaptured(run, version, worker, batch, loss, names, shapes, half, payload, kind);
                }
                case "weights":
                {
                    var (run, version, half) = (reader.ReadString(), reader.ReadInt64(), reader.ReadBoolean());
                    var (names, shapes) = BinaryFields.ReadTensorSetHeader(reader);
                    var payload = BinaryFields.ReadBytes(reader, bytes, half ? Tensors.Wire.WireDType.Float16 : Tensors.Wire.WireDType.Float32);
                    return new Recording.WeightsCaptured(run, version, names, shapes, half, payload);
                }
                case "snapshot":
                {
                    var (version, samples, steps, count) = (reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt32(), reader.ReadInt32());
                    if (count is < 0 or > 8) throw new InvalidDataException($"snapshot claims {count} optimizer buffers");
                    var buffers = new float[count][];
                    for (var i = 0; i < count; i++) buffers[i] = BinaryFields.ReadValues(reader, bytes);
                    return new ParameterServer.ServerSnapshot(version, samples, BinaryFields.ReadValues(bytes, (int)reader.BaseStream.Position), steps, buffers);
                }
                default:
                    throw new System.Runtime.Serialization.SerializationException($"Unknown tensor message manifest '{manifest}'.");
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or Tensors.Wire.TensorCodecException or ArgumentException
                                      or FormatException or OverflowException)
        {
            if (IsStored(manifest)) return new Recording.UndecodableEvent(manifest, bytes.Length, e.Message);
            throw new System.Runtime.Serialization.SerializationException($"Corrupt '{manifest}' tensor message ({bytes.Length} bytes): {e.Message}", e);
        }
    }
}
