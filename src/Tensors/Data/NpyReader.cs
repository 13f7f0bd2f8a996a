using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Reads NumPy's <c>.npy</c> format (versions 1.0–3.0): the magic <c>\x93NUMPY</c>, a version, the header length
/// (uint16 in 1.0, uint32 after), a Python-literal header <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>,
/// then the raw elements. Accepted: float32 and float64 of either byte order, C or Fortran order, 1-D or 2-D
/// (<see cref="Read(string)"/>) or of any rank up to a caller's limit (<see cref="Read(string, int)"/>).
/// Anything else is an <see cref="NpyFormatException"/> that names the file and the problem.
/// </summary>
public static partial class NpyReader
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header accepted, so a corrupt length cannot ask for an absurd buffer.</summary>
    private const int MaxHeaderBytes = 1 << 20;

    /// <summary>A 1-D or 2-D array.</summary>
    public static NpyArray Read(string path) => Read(path, maxDimensions: 2);

    /// <summary>An array of 1 to <paramref name="maxDimensions"/> dimensions, e.g. a batch of images (n, 1, 28, 28).</summary>
    public static NpyArray Read(string path, int maxDimensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDimensions, 1);
        if (Directory.Exists(path))
            throw new NpyFormatException(path, "is a directory, not a .npy file.");
        if (!File.Exists(path))
            throw new FileNotFoundException($".npy file not found: {path}", path);
        using var stream = File.OpenRead(path);
        var (descr, fortran, shape) = ReadHeader(stream, path);
        var (size, bigEndian) = descr switch
        {
            "<f4" or "=f4" => (4, false),
            ">f4" => (4, true),
            "<f8" or "=f8" => (8, false),
            ">f8" => (8, true),
            _ => throw new NpyFormatException(path, $"dtype '{descr}' is not supported; expected float32 ('<f4') or float64 ('<f8'): save it as float, e.g. numpy.save(path, array.astype(numpy.float32))."),
        };
        if (shape.Length == 0 || shape.Length > maxDimensions)
            throw new NpyFormatException(path, $"has {shape.Length} dimensions (shape ({string.Join(", ", shape)})); expected " +
                (maxDimensions == 2 ? "a 1-D or 2-D array." : $"1 to {maxDimensions} dimensions."));
        var count = shape.Aggregate(1L, (product, n) => product * n);
        if (count * size > Array.MaxLength)
            throw new NpyFormatException(path, $"shape ({string.Join(", ", shape)}) is too large for one array.");

        var data = new byte[count * size];
        var read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
            throw new NpyFormatException(path, $"truncated: shape ({string.Join(", ", shape)}) of {descr} needs {data.Length} data bytes but only {read} are present.{CutShort}");
        if (stream.ReadByte() != -1)
            throw new NpyFormatException(path, $"has trailing bytes after the {data.Length} data bytes its shape ({string.Join(", ", shape)}) describes.");

        var values = Decode(data, size, bigEndian);
        if (fortran && shape.Length > 1) values = ToRowMajor(values, shape);
        return new NpyArray(shape, values, size);
    }

    private static (string Descr, bool Fortran, int[] Shape) ReadHeader(Stream stream, string path)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (stream.ReadAtLeast(prefix, 8, throwOnEndOfStream: false) < 8)
            throw new NpyFormatException(path, $"truncated: shorter than the 8-byte magic and version.{CutShort}");
        if (!prefix[..6].SequenceEqual(Magic))
            throw new NpyFormatException(path, $"bad magic {Convert.ToHexString(prefix[..6])}: a .npy file starts with \\x93NUMPY.");
        var major = prefix[6];
        if (major is < 1 or > 3)
            throw new NpyFormatException(path, $"format version {major}.{prefix[7]} is not supported (1.0 to 3.0 are).");
        Span<byte> lengthBytes = stackalloc byte[major == 1 ? 2 : 4];
        if (stream.ReadAtLeast(lengthBytes, lengthBytes.Length, throwOnEndOfStream: false) < lengthBytes.Length)
            throw new NpyFormatException(path, $"truncated inside the header length.{CutShort}");
        var length = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (length > MaxHeaderBytes)
            throw new NpyFormatException(path, $"header length {length} bytes is implausible (more than {MaxHeaderBytes}).");
        var headerBytes = new byte[length];
        var read = stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false);
        if (read < headerBytes.Length)
            throw new NpyFormatException(path, $"truncated: the header should have {length} bytes but only {read} are present.{CutShort}");
        var header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes).Trim();
        return ParseHeader(header, path);
    }

    private static (string Descr, bool Fortran, int[] Shape) ParseHeader(string header, string path)
    {
        if (!header.StartsWith('{') || !header.EndsWith('}'))
            throw new NpyFormatException(path, $"header is not a Python dict: {Shorten(header)}");
        var descr = DescrPattern().Match(header);
        var fortran = FortranPattern().Match(header);
        var shape = ShapePattern().Match(header);
        if (!descr.Success && StructuredDescrPattern().IsMatch(header))
            throw new NpyFormatException(path, $"dtype is a structured (record) type; expected a plain float32 ('<f4') or float64 ('<f8') array: {Shorten(header)}");
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new NpyFormatException(path, $"header lacks 'descr', 'fortran_order' or 'shape': {Shorten(header)}");
        var dimensions = shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(text => int.TryParse(text.TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new NpyFormatException(path, $"shape ({shape.Groups[1].Value}) has a dimension that is not a positive integer of at most {int.MaxValue}."))
            .ToArray();
        return (descr.Groups[1].Value, fortran.Groups[1].Value == "True", dimensions);
    }

    private static double[] Decode(byte[] data, int size, bool bigEndian)
    {
        var values = new double[data.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            var bytes = data.AsSpan(i * size, size);
            values[i] = (size, bigEndian) switch
            {
                (4, false) => BinaryPrimitives.ReadSingleLittleEndian(bytes),
                (4, true) => BinaryPrimitives.ReadSingleBigEndian(bytes),
                (_, false) => BinaryPrimitives.ReadDoubleLittleEndian(bytes),
                _ => BinaryPrimitives.ReadDoubleBigEndian(bytes),
            };
        }
        return values;
    }

    /// <summary>
    /// Fortran order varies the first index fastest: element (i₀, …, i_k) sits at i₀ + s₀·(i₁ + s₁·(i₂ + …)); in 2-D,
    /// (r, c) at c·rows + r.
    /// </summary>
    private static double[] ToRowMajor(double[] columnMajor, int[] shape)
    {
        var rowMajor = new double[columnMajor.Length];
        var index = new int[shape.Length];
        for (var r = 0; r < rowMajor.Length; r++)
        {
            var offset = 0;
            for (var axis = shape.Length - 1; axis >= 0; axis--) offset = offset * shape[axis] + index[axis];
            rowMajor[r] = columnMajor[offset];
            for (var axis = shape.Length - 1; axis >= 0 && ++index[axis] == shape[axis]; axis--) index[axis] = 0;
        }
        return rowMajor;
    }

    /// <summary>Appended to every "truncated" message: what to do about it.</summary>
    private const string CutShort = " The file was cut short (an interrupted write or copy?): save or copy it again.";

    private static string Shorten(string header) => header.Length <= 120 ? header : header[..120] + "…";

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'descr'\s*:\s*\[")]
    private static partial Regex StructuredDescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
