using System.Text.Json;
using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.Tap;

/// <summary>One JSON line per <see cref="LabelsRevealed"/>, flushed as written (revealed.jsonl in a run's directory).</summary>
public sealed class RevealedLog : IDisposable
{
    internal static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly StreamWriter? _writer;

    public RevealedLog(string? path)
    {
        if (path is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public void Write(LabelsRevealed revealed) => _writer?.WriteLine(JsonSerializer.Serialize(revealed, Options));

    public void Dispose() => _writer?.Dispose();

    /// <summary>Reads a log back (tests, reports).</summary>
    public static IReadOnlyList<LabelsRevealed> ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var entries = new List<LabelsRevealed>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) entries.Add(JsonSerializer.Deserialize<LabelsRevealed>(line, Options)!);
        return entries;
    }
}
