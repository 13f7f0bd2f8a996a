namespace ActorTrain.Tensors.Tests.Data;

/// <summary>A temporary directory of fortune files written by a test.</summary>
internal sealed class FortunesTestCorpus : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("actortrain-fortunes-").FullName;

    /// <summary>Writes <paramref name="entries"/> as a fortune file: entries separated by lines holding only %.</summary>
    public string Write(string name, params string[] entries)
    {
        var path = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("%\n", entries.Select(e => e + "\n")) + "%\n");
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
