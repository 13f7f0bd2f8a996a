using System.Text.Json;
using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.Tap;

/// <summary>One JSON line per <see cref="BatchInverted"/>, flushed as written (inverted.jsonl in a run's directory).</summary>
public sealed class InversionLog : IDisposable
{
    private readonly StreamWriter? _writer;

    public InversionLog(string? path)
    {
        if (path is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public void Write(BatchInverted batch) => _writer?.WriteLine(JsonSerializer.Serialize(batch, RevealedLog.Options));

    public void Dispose() => _writer?.Dispose();

    /// <summary>Reads a log back (tests, reports).</summary>
    public static IReadOnlyList<BatchInverted> ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var entries = new List<BatchInverted>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) entries.Add(JsonSerializer.Deserialize<BatchInverted>(line, RevealedLog.Options)!);
        return entries;
    }
}
