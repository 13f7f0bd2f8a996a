using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace ActorTrain.Tensors.Wire;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78; init and final XOR 0xFFFFFFFF), as iSCSI, ext4 and
/// gRPC use it. On x86 with SSE4.2 it runs three independent CRC chains over thirds of the buffer (the crc32
/// instruction has a latency of 3 cycles and a throughput of 1) and joins them with the GF(2) shift operator,
/// as zlib's crc32_combine does; elsewhere a byte table.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78;
    private const int InterleaveThreshold = 4096;
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(~0u, data);

    /// <summary>Copies <paramref name="source"/> to <paramref name="destination"/> and returns the raw register
    /// after feeding it (start from <c>~0u</c>, finish with <c>~</c>): one pass over memory for copy and checksum.</summary>
    public static uint CopyAndUpdate(uint state, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (destination.Length < source.Length) throw new ArgumentException("Destination is shorter than the source.");
        if (!Sse42.X64.IsSupported || source.Length < InterleaveThreshold)
        {
            source.CopyTo(destination);
            return Update(state, source);
        }
        return Interleaved(state, source, destination);
    }

    /// <summary>The raw CRC register after feeding <paramref name="data"/> into <paramref name="state"/>.</summary>
    public static uint Update(uint state, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported && data.Length >= InterleaveThreshold) return Interleaved(state, data, Span<byte>.Empty);
        return Sse42.X64.IsSupported ? Serial(state, data) : TableUpdate(state, data);
    }

    private static unsafe uint Interleaved(uint state, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var copy = !destination.IsEmpty;
        var third = source.Length / 24 * 8;
        var n = third / 8;
        ulong a = state, b = 0, c = 0;
        fixed (byte* sourceBytes = source)
        fixed (byte* destinationBytes = destination)
        {
            var x = (ulong*)sourceBytes;
            var y = x + n;
            var z = y + n;
            if (copy)
            {
                var dx = (ulong*)destinationBytes;
                var dy = dx + n;
                var dz = dy + n;
                for (var i = 0; i < n; i++)
                {
                    ulong u = x[i], v = y[i], w = z[i];
                    a = Sse42.X64.Crc32(a, u);
                    b = Sse42.X64.Crc32(b, v);
                    c = Sse42.X64.Crc32(c, w);
                    dx[i] = u;
                    dy[i] = v;
                    dz[i] = w;
                }
            }
            else
            {
                for (var i = 0; i < n; i++)
                {
                    a = Sse42.X64.Crc32(a, x[i]);
                    b = Sse42.X64.Crc32(b, y[i]);
                    c = Sse42.X64.Crc32(c, z[i]);
                }
            }
        }
        var shift = ZeroShift.For(third);
        var joined = shift.Apply(shift.Apply((uint)a) ^ (uint)b) ^ (uint)c;
        var tail = source[(3 * third)..];
        if (copy) tail.CopyTo(destination[(3 * third)..]);
        return Serial(joined, tail);
    }

    private static uint Serial(uint state, ReadOnlySpan<byte> data)
    {
        ulong crc = state;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var word in words) crc = Sse42.X64.Crc32(crc, word);
        var result = (uint)crc;
        foreach (var b in data[(words.Length * 8)..]) result = Sse42.Crc32(result, b);
        return result;
    }

    private static uint TableUpdate(uint state, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) state = Table[(state ^ b) & 0xFF] ^ (state >> 8);
        return state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }

    /// <summary>
    /// The linear map "feed n zero bytes" on the raw CRC register, as a 32×32 GF(2) matrix (columns as words).
    /// Built by repeated squaring of the one-zero-bit operator; the last few lengths are cached.
    /// </summary>
    private sealed class ZeroShift
    {
        private static readonly Dictionary<int, ZeroShift> Cache = new();
        private readonly uint[] _columns;

        private ZeroShift(uint[] columns) => _columns = columns;

        public static ZeroShift For(int bytes)
        {
            lock (Cache)
            {
                if (Cache.TryGetValue(bytes, out var cached)) return cached;
                if (Cache.Count > 64) Cache.Clear();
                return Cache[bytes] = new ZeroShift(Build(bytes));
            }
        }

        public uint Apply(uint vector) => Multiply(_columns, vector);

        private static uint[] Build(int bytes)
        {
            var power = new uint[32]; // one zero bit
            power[0] = Polynomial;
            for (var i = 1; i < 32; i++) power[i] = 1u << (i - 1);
            for (var i = 0; i < 3; i++) power = Square(power); // one zero byte
            var result = Identity();
            for (var n = (uint)bytes; n != 0; n >>= 1)
            {
                if ((n & 1) != 0) result = Compose(power, result);
                power = Square(power);
            }
            return result;
        }

        private static uint Multiply(uint[] matrix, uint vector)
        {
            uint sum = 0;
            for (var i = 0; vector != 0; i++, vector >>= 1)
                if ((vector & 1) != 0) sum ^= matrix[i];
            return sum;
        }

        private static uint[] Compose(uint[] outer, uint[] inner) => inner.Select(column => Multiply(outer, column)).ToArray();

        private static uint[] Square(uint[] m) => Compose(m, m);

        private static uint[] Identity() => Enumerable.Range(0, 32).Select(i => 1u << i).ToArray();
    }
}
