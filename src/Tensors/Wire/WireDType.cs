using static TorchSharp.torch;

namespace ActorTrain.Tensors.Wire;

/// <summary>Element types a tensor payload can carry; the byte value is what goes on the wire.</summary>
public enum WireDType : byte
{
    Float32 = 1,
    Float16 = 2,
    BFloat16 = 3,
    Float64 = 4,
    Int64 = 5,
    Int32 = 6,
    UInt8 = 7,
    Int8 = 8,
    Bool = 9,
}

public static class WireDTypes
{
    /// <value>Bytes per element.</value>
    public static int Size(this WireDType type) => type switch
    {
        WireDType.Float32 or WireDType.Int32 => 4,
        WireDType.Float16 or WireDType.BFloat16 => 2,
        WireDType.Float64 or WireDType.Int64 => 8,
        WireDType.UInt8 or WireDType.Int8 or WireDType.Bool => 1,
        _ => throw new TensorCodecException($"unknown dtype code {(byte)type}"),
    };

    public static bool IsDefined(byte code) => Enum.IsDefined(typeof(WireDType), code);

    public static WireDType FromTorch(ScalarType type) => type switch
    {
        ScalarType.Float32 => WireDType.Float32,
        ScalarType.Float16 => WireDType.Float16,
        ScalarType.BFloat16 => WireDType.BFloat16,
        ScalarType.Float64 => WireDType.Float64,
        ScalarType.Int64 => WireDType.Int64,
        ScalarType.Int32 => WireDType.Int32,
        ScalarType.Byte => WireDType.UInt8,
        ScalarType.Int8 => WireDType.Int8,
        ScalarType.Bool => WireDType.Bool,
        _ => throw new ArgumentException($"Tensors of type {type} cannot be sent; convert to one of: {string.Join(", ", Enum.GetNames<WireDType>())}."),
    };

    public static ScalarType ToTorch(this WireDType type) => type switch
    {
        WireDType.Float32 => ScalarType.Float32,
        WireDType.Float16 => ScalarType.Float16,
        WireDType.BFloat16 => ScalarType.BFloat16,
        WireDType.Float64 => ScalarType.Float64,
        WireDType.Int64 => ScalarType.Int64,
        WireDType.Int32 => ScalarType.Int32,
        WireDType.UInt8 => ScalarType.Byte,
        WireDType.Int8 => ScalarType.Int8,
        WireDType.Bool => ScalarType.Bool,
        _ => throw new TensorCodecException($"unknown dtype code {(byte)type}"),
    };
}
