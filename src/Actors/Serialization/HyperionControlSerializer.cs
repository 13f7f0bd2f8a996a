using Akka.Actor;
using Hyperion;

namespace ActorTrain.Actors.Serialization;

/// <summary>
/// Serializes <see cref="Protocol.IControlMessage"/>s with Hyperion 0.12.2 (Akka.Serialization.Hyperion is not on
/// the registry, so this is the thin equivalent). Actor references travel as their serialized paths and are
/// resolved by the receiving system. Only ActorTrain and System types are accepted on the way in.
/// </summary>
public sealed class HyperionControlSerializer : Akka.Serialization.Serializer
{
    public const int Id = 1100;

    private readonly Hyperion.Serializer _hyperion;

    public HyperionControlSerializer(ExtendedActorSystem system) : base(system)
    {
        var actorRefs = Surrogate.Create<IActorRef, ActorRefSurrogate>(
            actor => new ActorRefSurrogate(Akka.Serialization.Serialization.SerializedActorPath(actor)),
            surrogate => system.Provider.ResolveActorRef(surrogate.Path));
        _hyperion = new Hyperion.Serializer(new SerializerOptions(
            versionTolerance: true,
            preserveObjectReferences: false,
            surrogates: [actorRefs],
            serializerFactories: null,
            knownTypes: null,
            ignoreISerializable: true,
            packageNameOverrides: null,
            disallowUnsafeTypes: true,
            typeFilter: new ActorTrainTypes()));
    }

    public override int Identifier => Id;

    public override bool IncludeManifest => false;

    public override byte[] ToBinary(object obj)
    {
        using var stream = new MemoryStream();
        _hyperion.Serialize(obj, stream);
        return stream.ToArray();
    }

    public override object FromBinary(byte[] bytes, Type type)
    {
        using var stream = new MemoryStream(bytes);
        return _hyperion.Deserialize(stream);
    }

    private sealed record ActorRefSurrogate(string Path);

    private sealed class ActorTrainTypes : ITypeFilter
    {
        public bool IsAllowed(string typeName) =>
            typeName.StartsWith("ActorTrain.", StringComparison.Ordinal) || typeName.StartsWith("System.", StringComparison.Ordinal);
    }
}
