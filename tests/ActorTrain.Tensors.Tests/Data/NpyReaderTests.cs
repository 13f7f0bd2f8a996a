using ActorTrain.Tensors.Data;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class NpyReaderTests : IDisposable
{
    private readonly NpyTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Read_Float32COrder2D_ReturnsRowMajorValues()
    {
        var path = _files.Write("c.npy", NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            NpyTestFiles.Float32(false, 1, 2, 3, 4, 5, 6)));

        var array = NpyReader.Read(path);

        Assert.Equal([2, 3], array.Shape);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], array.Values);
        Assert.Equal(4, array.BytesPerElement);
    }

    [Fact]
    public void Read_FortranOrder_IsTransposedToRowMajor()
    {
        // Fortran order of [[1, 2, 3], [4, 5, 6]] is column by column: 1 4 2 5 3 6.
        var path = _files.Write("f.npy", NpyTestFiles.Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
            NpyTestFiles.Float64(1, 4, 2, 5, 3, 6)));

        var array = NpyReader.Read(path);

        Assert.Equal([1.0, 2, 3, 4, 5, 6], array.Values);
        Assert.Equal(8, array.BytesPerElement);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Read_OneDimensionalAnyVersion_ReadsVector(byte major)
    {
        var path = _files.Write("v.npy", NpyTestFiles.Npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
            NpyTestFiles.Float64(0.5, -1.5, 1e-300), major));

        var array = NpyReader.Read(path);

        Assert.Equal([3], array.Shape);
        Assert.Equal([0.5, -1.5, 1e-300], array.Values);
        Assert.Equal(1, array.Columns);
    }

    [Fact]
    public void Read_BigEndianFloat32_IsDecoded()
    {
        var path = _files.Write("be.npy", NpyTestFiles.Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }",
            NpyTestFiles.Float32(true, 3.25f, -7f)));

        Assert.Equal([3.25, -7], NpyReader.Read(path).Values);
    }

    [Theory]
    [InlineData("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", "dtype '<i8' is not supported")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", "has 3 dimensions")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", "has 0 dimensions")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 4), }", "not a positive integer")]
    [InlineData("{'descr': '<f4', 'shape': (2,), }", "lacks 'descr', 'fortran_order' or 'shape'")]
    [InlineData("not a dict", "header is not a Python dict")]
    public void Read_UnsupportedHeader_NamesFileAndProblem(string header, string expected)
    {
        var path = _files.Write("bad.npy", NpyTestFiles.Npy(header, new byte[64]));

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_BadMagic_IsRejected()
    {
        var bytes = NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        bytes[1] = (byte)'X';
        var path = _files.Write("magic.npy", bytes);

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains("bad magic", error.Message);
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Read_TruncatedData_SaysHowManyBytesAreMissing()
    {
        var path = _files.Write("short.npy", NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", new byte[20]));

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains("truncated: shape (2, 3) of <f4 needs 24 data bytes but only 20 are present", error.Message);
    }

    [Theory]
    [InlineData(5, "shorter than the 8-byte magic")]
    [InlineData(9, "inside the header length")]
    [InlineData(30, "the header should have")]
    public void Read_TruncatedHeader_IsRejected(int keep, string expected)
    {
        var full = NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[4]);
        var path = _files.Write("cut.npy", full[..keep]);

        var error = Assert.Throws<NpyFormatException>(() => NpyReader.Read(path));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Read_TrailingBytes_AreRejected()
    {
        var path = _files.Write("long.npy", NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new byte[8]));
        Assert.Contains("trailing bytes", Assert.Throws<NpyFormatException>(() => NpyReader.Read(path)).Message);
    }

    [Fact]
    public void Read_MissingFile_IsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => NpyReader.Read(Path.Combine(_files.Directory, "absent.npy")));

    [Fact]
    public void Write_ThenRead_RoundTripsWithAlignedHeader()
    {
        var path = Path.Combine(_files.Directory, "written.npy");
        float[] values = [1.5f, -2, 3e-8f, 4, 5, 6];

        NpyWriter.Write(path, values, 3, 2);

        Assert.Equal(0, (File.ReadAllBytes(path).Length - 24) % 64); // header padded to 64 bytes, data 24 bytes
        var array = NpyReader.Read(path);
        Assert.Equal([3, 2], array.Shape);
        Assert.Equal(values.Select(v => (double)v), array.Values);
    }
    [Fact]
    public void Read_ThreeDimensionalFortranOrderWithRankLimit_IsRowMajor()
    {
        // Element (i, j, k) = 100i + 10j + k; Fortran order varies i fastest, then j, then k.
        var fortran = from k in Enumerable.Range(0, 2) from j in Enumerable.Range(0, 3) from i in Enumerable.Range(0, 2) select 100.0 * i + 10 * j + k;
        var path = _files.Write("f3.npy", NpyTestFiles.Npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3, 2), }",
            NpyTestFiles.Float64(fortran.ToArray())));

        var array = NpyReader.Read(path, maxDimensions: 4);

        Assert.Equal([2, 3, 2], array.Shape);
        Assert.Equal(6, array.Columns);
        Assert.Equal(from i in Enumerable.Range(0, 2) from j in Enumerable.Range(0, 3) from k in Enumerable.Range(0, 2) select 100.0 * i + 10 * j + k,
            array.Values);
    }

    [Fact]
    public void Read_MoreDimensionsThanTheLimit_NamesTheLimit()
    {
        var path = _files.Write("d5.npy", NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 2), }",
            NpyTestFiles.Float32(false, 1, 2)));

        Assert.Contains("has 5 dimensions (shape (1, 1, 1, 1, 2)); expected 1 to 4 dimensions.",
            Assert.Throws<NpyFormatException>(() => NpyReader.Read(path, maxDimensions: 4)).Message);
    }

    [Fact]
    public void Write_FourDimensions_RoundTrips()
    {
        var path = Path.Combine(_files.Directory, "images.npy");
        var values = Enumerable.Range(0, 2 * 1 * 3 * 2).Select(i => i / 4f).ToArray();

        NpyWriter.Write(path, values, 2, 1, 3, 2);

        var array = NpyReader.Read(path, maxDimensions: 4);
        Assert.Equal([2, 1, 3, 2], array.Shape);
        Assert.Equal(values.Select(v => (double)v), array.Values);
    }
}
