using ActorTrain.Tensors.Data;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_ValidFile_ReturnsDimensionsAndElements(bool gzip)
    {
        var elements = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        var path = _files.Write("a.idx", IdxTestFiles.Idx(0x08, [2, 3, 4], elements), gzip);

        var array = IdxReader.Read(path);

        Assert.Equal([2, 3, 4], array.Dimensions);
        Assert.Equal(elements, array.Elements);
        Assert.Equal(12, array.ItemSize);
        Assert.Equal(2, array.ItemCount);
    }

    [Fact]
    public void Read_BadMagic_NamesFileAndMagic()
    {
        var bytes = IdxTestFiles.Idx(0x08, [1], [7]);
        bytes[0] = 0x12;
        var path = _files.Write("bad.idx", bytes);
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("bad magic", error.Message);
    }

    [Fact]
    public void Read_UnsupportedType_SaysWhichType()
    {
        var path = _files.Write("float.idx", IdxTestFiles.Idx(0x0D, [1], [0, 0, 0, 0]));
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains("0x0d", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Read_TruncatedData_SaysHowManyBytesAreMissing(bool gzip)
    {
        var full = IdxTestFiles.Idx(0x08, [10, 10], new byte[100]);
        var path = _files.Write("short.idx", full[..^30], gzip);
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains("truncated", error.Message);
        Assert.Contains("need 100 data bytes but only 70", error.Message);
    }

    [Fact]
    public void Read_TruncatedHeader_IsRejected()
    {
        var path = _files.Write("header.idx", IdxTestFiles.Idx(0x08, [10, 10], [])[..6]);
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains("dimension sizes", error.Message);
    }

    [Fact]
    public void Read_TrailingBytes_AreRejected()
    {
        var path = _files.Write("long.idx", [.. IdxTestFiles.Idx(0x08, [2], [1, 2]), 9]);
        Assert.Contains("trailing bytes", Assert.Throws<IdxFormatException>(() => IdxReader.Read(path)).Message);
    }

    [Fact]
    public void Read_ZeroDimension_IsRejected()
    {
        var path = _files.Write("zero.idx", IdxTestFiles.Idx(0x08, [0, 5], []));
        Assert.Contains("dimension 0 has size 0", Assert.Throws<IdxFormatException>(() => IdxReader.Read(path)).Message);
    }

    [Fact]
    public void Read_CorruptGzip_NamesFile()
    {
        var gz = File.ReadAllBytes(_files.Write("ok.gz", IdxTestFiles.Idx(0x08, [64], new byte[64]), gzip: true));
        for (var i = 10; i < gz.Length - 8; i++) gz[i] ^= 0x5A;
        var path = _files.Write("corrupt.gz", gz);
        var error = Assert.Throws<IdxFormatException>(() => IdxReader.Read(path));
        Assert.Contains(path, error.Message);
    }

    [Fact]
    public void Read_MissingFile_NamesFile()
    {
        var path = Path.Combine(_files.Directory, "nope.idx");
        Assert.Contains(path, Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path)).Message);
    }
}
