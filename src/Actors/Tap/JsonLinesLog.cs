using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActorTrain.Actors.Tap;

/// <summary>
/// One JSON line (snake_case, nulls left out) per entry, flushed as written: the taps' logs in a run's directory
/// (revealed.jsonl of <see cref="Protocol.LabelsRevealed"/>, inverted.jsonl of <see cref="Protocol.BatchInverted"/>).
/// </summary>
public sealed class JsonLinesLog<T> : IDisposable
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly StreamWriter? _writer;

    /// <param name="path">Appended to (its folder is created); null: write nothing.</param>
    public JsonLinesLog(string? path)
    {
        if (path is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public void Write(T entry) => _writer?.WriteLine(JsonSerializer.Serialize(entry, Options));

    public void Dispose() => _writer?.Dispose();

    /// <summary>Reads a log back (tests, reports).</summary>
    public static IReadOnlyList<T> ReadAll(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var entries = new List<T>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) entries.Add(JsonSerializer.Deserialize<T>(line, Options)!);
        return entries;
    }
}
