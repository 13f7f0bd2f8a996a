using System.Text.Json;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// One JSON line per applied step (step, workers, samples, loss, rejected so far, and for the parameter server the
/// bytes of update values it received for the step: compressed payloads at their compressed size), flushed as written, so a
/// crashed or killed run still leaves its history and tests can assert on what the server actually did.
/// </summary>
public sealed class StepLog : IDisposable
{
    private readonly StreamWriter? _writer;

    public StepLog(string? path)
    {
        if (path is null) return;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public void Write(long step, IReadOnlyList<string> workers, int samples, double loss, long rejected, long? bytes = null)
    {
        _writer?.WriteLine(bytes is null
            ? JsonSerializer.Serialize(new { step, workers, samples, loss, rejected })
            : JsonSerializer.Serialize(new { step, workers, samples, loss, rejected, bytes }));
    }

    public void Dispose() => _writer?.Dispose();
}

/// <summary>A line of <see cref="StepLog"/>, as tests and reports read it back.</summary>
/// <param name="Bytes">Update-value bytes the parameter server received for the step (null in split runs).</param>
public sealed record StepLogEntry(long Step, string[] Workers, int Samples, double Loss, long Rejected, long? Bytes = null)
{
    public static IReadOnlyList<StepLogEntry> ReadAll(string path)
    {
        var options = new JsonSerializerOptions { PropertyNameCaseInsensitive = true };
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var entries = new List<StepLogEntry>();
        while (reader.ReadLine() is { } line)
            if (line.Length > 0) entries.Add(JsonSerializer.Deserialize<StepLogEntry>(line, options)!);
        return entries;
    }
}
