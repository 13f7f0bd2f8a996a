using ActorTrain.Tensors.Wire;
using static TorchSharp.torch;

namespace ActorTrain.Tensors.Tests.Wire;

public sealed class TensorCodecTests
{
    public static TheoryData<long[]> Shapes => new() { Array.Empty<long>(), new long[] { 0 }, new long[] { 3, 0, 2 }, new long[] { 1 }, new long[] { 17, 33 }, new long[] { 1024, 1025 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RoundTrip_Float32_IsBitExact(long[] shape)
    {
        using var original = randn(shape);
        if (original.numel() >= 3) original.view(-1).narrow(0, 0, 3).copy_(tensor(new[] { float.NaN, float.NegativeInfinity, -0f }));

        var encoded = TensorCodec.Encode(original);
        using var decoded = TensorCodec.DecodeTensor(encoded);

        Assert.Equal(shape, decoded.shape);
        Assert.Equal(original.bytes.ToArray(), decoded.bytes.ToArray());
        Assert.Equal(TensorCodec.Overhead(shape.Length) + 4 * original.numel(), encoded.Length);
    }

    [Theory]
    [InlineData(ScalarType.Float16)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float64)]
    [InlineData(ScalarType.Int64)]
    [InlineData(ScalarType.Int32)]
    [InlineData(ScalarType.Byte)]
    [InlineData(ScalarType.Int8)]
    [InlineData(ScalarType.Bool)]
    public void RoundTrip_EveryDType_IsBitExact(ScalarType type)
    {
        using var original = (randn(5, 7) * 50).to_type(type);
        using var decoded = TensorCodec.DecodeTensor(TensorCodec.Encode(original));
        Assert.Equal(type, decoded.dtype);
        Assert.Equal(original.bytes.ToArray(), decoded.bytes.ToArray());
    }

    [Fact]
    public void RoundTrip_NonContiguousTensor_EncodesLogicalOrder()
    {
        using var transposed = arange(12, dtype: ScalarType.Float32).reshape(3, 4).t();
        using var decoded = TensorCodec.DecodeTensor(TensorCodec.Encode(transposed));
        Assert.True(decoded.equal(transposed).all().item<bool>());
    }

    [Fact]
    public void Decode_EveryFlippedBit_IsDetected()
    {
        var encoded = TensorCodec.Encode(randn(8, 8));
        for (var bit = 0; bit < encoded.Length * 8; bit++)
        {
            var corrupt = (byte[])encoded.Clone();
            corrupt[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<TensorCodecException>(() => TensorCodec.DecodeTensor(corrupt));
        }
    }

    [Fact]
    public void Decode_FlippedPayloadBit_InLargeTensor_IsAChecksumMismatch()
    {
        var encoded = TensorCodec.Encode(randn(1 << 20));
        encoded[encoded.Length / 2] ^= 0x10;
        Assert.Contains("checksum mismatch", Assert.Throws<TensorCodecException>(() => TensorCodec.DecodeTensor(encoded)).Message);
    }

    [Fact]
    public void Decode_TruncatedOrForeignBytes_SaysWhy()
    {
        var encoded = TensorCodec.Encode(randn(4, 4));
        Assert.Contains("length mismatch", Assert.Throws<TensorCodecException>(() => TensorCodec.DecodeTensor(encoded[..^1])).Message);
        Assert.Contains("shorter", Assert.Throws<TensorCodecException>(() => TensorCodec.DecodeTensor(encoded[..10])).Message);
        Assert.Contains("bad magic", Assert.Throws<TensorCodecException>(() => TensorCodec.DecodeTensor(new byte[64])).Message);
    }

    [Fact]
    public void Encode_PayloadNotMatchingHeader_IsRejected()
    {
        var header = new TensorHeader(WireDType.Float32, [2, 2]);
        Assert.Throws<ArgumentException>(() => TensorCodec.Encode(header, new byte[15], new byte[100]));
    }
}
