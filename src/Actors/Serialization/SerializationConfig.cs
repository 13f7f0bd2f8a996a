using Akka.Configuration;

namespace ActorTrain.Actors.Serialization;

/// <summary>The HOCON that binds ActorTrain's marker interfaces to its serializers.</summary>
public static class SerializationConfig
{
    public static Config Hocon { get; } = ConfigurationFactory.ParseString($$"""
        akka.actor {
          serializers {
            actortrain-control = "{{Name(typeof(HyperionControlSerializer))}}"
            actortrain-tensor = "{{Name(typeof(TensorMessageSerializer))}}"
          }
          serialization-bindings {
            "{{Name(typeof(Protocol.IControlMessage))}}" = actortrain-control
            "{{Name(typeof(Protocol.ITensorMessage))}}" = actortrain-tensor
          }
        }
        """);

    private static string Name(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";
}
