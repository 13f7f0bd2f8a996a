using System.Diagnostics;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Recording;
using Akka.Actor;
using Akka.Configuration;
using Akka.Streams.Dsl;

namespace ActorTrain.Nodes.Bench;

/// <summary>One round of the replay suite.</summary>
/// <param name="JournalMbps">Captured update payload read back through Akka.Persistence.Query from SQLite, decoded and checksummed, MB/s.</param>
/// <param name="FileMbps">The same payload bytes read from one flat file, MB/s.</param>
public sealed record ReplayMeasurement(int Updates, long PayloadBytes, double JournalMbps, double FileMbps, double Ratio);

/// <summary>
/// Suite `replay`: how fast recorded updates stream out of the SQLite journal (the path `actortrain replay` reads,
/// attack excluded) against reading the same bytes from a flat file, in the same run. Both read from the page cache
/// after a first untimed pass, so the ratio is the cost of the journal (SQL, rows, deserialization, checksums).
/// </summary>
public static class ReplayBenchmark
{
    private const string RunId = "bench";

    public static IReadOnlyList<ReplayMeasurement> Measure(long totalBytes, int rounds, TextWriter output)
    {
        var directory = Directory.CreateTempSubdirectory("actortrain-bench-replay-");
        try
        {
            var journalPath = Path.Combine(directory.FullName, "journal.db");
            var filePath = Path.Combine(directory.FullName, "payload.bin");
            var updates = Record(journalPath, filePath, totalBytes, output).GetAwaiter().GetResult();
            var measurements = new List<ReplayMeasurement>();
            ReadJournal(journalPath).GetAwaiter().GetResult(); // warm the page cache and the plugin
            ReadFile(filePath, updates.PayloadBytes / updates.Count);
            for (var round = 0; round < rounds; round++)
            {
                var clock = Stopwatch.StartNew();
                var journalBytes = ReadJournal(journalPath).GetAwaiter().GetResult();
                var journalSeconds = clock.Elapsed.TotalSeconds;
                clock.Restart();
                var fileBytes = ReadFile(filePath, updates.PayloadBytes / updates.Count);
                var fileSeconds = clock.Elapsed.TotalSeconds;
                if (journalBytes != updates.PayloadBytes || fileBytes != updates.PayloadBytes)
                    throw new InvalidOperationException($"Replay benchmark read {journalBytes} (journal) and {fileBytes} (file) bytes of {updates.PayloadBytes}.");
                var m = new ReplayMeasurement(updates.Count, updates.PayloadBytes, journalBytes / 1e6 / journalSeconds, fileBytes / 1e6 / fileSeconds,
                    fileSeconds / journalSeconds);
                measurements.Add(m);
                output.WriteLine(FormattableString.Invariant(
                    $"round {round + 1}: journal {m.JournalMbps,8:F1} MB/s   flat file {m.FileMbps,8:F1} MB/s   ratio {m.Ratio:F4}"));
            }
            return measurements;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>Records 1 MiB projection-layer updates (C = 1000, d = 262, fp32) as a run would, and the same payloads to a flat file.</summary>
    private static async Task<(int Count, long PayloadBytes)> Record(string journalPath, string filePath, long totalBytes, TextWriter output)
    {
        const int classes = 1000, features = 262;
        var payloadBytes = classes * features * 4;
        var count = (int)Math.Max(1, totalBytes / payloadBytes);
        var config = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(JournalConfig.Sqlite(journalPath))
            .WithFallback(Actors.Serialization.SerializationConfig.Hocon);
        var system = ActorSystem.Create("actortrain-bench", config);
        var random = new Random(1);
        try
        {
            var recorder = system.ActorOf(UpdateRecorder.Props(RecordingStreams.Updates(RunId)));
            await using var file = File.Create(filePath);
            for (var i = 0; i < count; i++)
            {
                var payload = new byte[payloadBytes];
                random.NextBytes(payload);
                for (var b = 3; b < payload.Length; b += 4) payload[b] &= 0x3F; // finite floats
                recorder.Tell(new UpdateCaptured(RunId, i, "w0", 32, 1.0, ["projection.weight"], [[classes, features]], false, payload));
                await file.WriteAsync(payload);
            }
            var clock = Stopwatch.StartNew();
            await using var reader = JournalReader.Open(JournalConfig.Sqlite(journalPath), "actortrain-bench-check");
            while (await reader.Events(RecordingStreams.Updates(RunId)).RunAggregate(0, (n, _) => n + 1, reader.Materializer) < count)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(5)) throw new TimeoutException("The journal did not take the benchmark's updates within 5 minutes.");
                await Task.Delay(200);
            }
            output.WriteLine(FormattableString.Invariant($"recorded {count} updates of {payloadBytes / 1e6:F2} MB in {journalPath}"));
            return (count, (long)count * payloadBytes);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task<long> ReadJournal(string journalPath)
    {
        await using var reader = JournalReader.Open(JournalConfig.Sqlite(journalPath), "actortrain-bench-replay");
        var bytes = 0L;
        await reader.Events(RecordingStreams.Updates(RunId)).RunForeach(e =>
        {
            if (e.Event is UpdateCaptured captured) bytes += captured.Payload.Length;
        }, reader.Materializer);
        return bytes;
    }

    private static long ReadFile(string path, long chunk)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var buffer = new byte[chunk];
        var total = 0L;
        int read;
        while ((read = stream.Read(buffer)) > 0) total += read;
        return total;
    }
}
