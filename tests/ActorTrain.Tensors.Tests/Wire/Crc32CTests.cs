using System.Text;
using ActorTrain.Tensors.Wire;

namespace ActorTrain.Tensors.Tests.Wire;

public sealed class Crc32CTests
{
    [Fact]
    public void Compute_StandardCheckValue()
    {
        // The CRC-32C catalogue check value for "123456789" (RFC 3720, B.4).
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(4095)]
    [InlineData(4096)]
    [InlineData(100_003)]
    [InlineData(1 << 20)]
    public void Compute_AgreesWithBitwiseReference_AndCopyIsExact(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var copy = new byte[length];

        var state = Crc32C.CopyAndUpdate(~0u, data, copy);

        Assert.Equal(Bitwise(data), Crc32C.Compute(data));
        Assert.Equal(Bitwise(data), ~state);
        Assert.Equal(data, copy);
    }

    private static uint Bitwise(byte[] data)
    {
        var crc = ~0u;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
