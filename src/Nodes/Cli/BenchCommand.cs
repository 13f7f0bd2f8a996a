using System.CommandLine;
using System.Globalization;
using ActorTrain.Nodes.Bench;
using ActorTrain.Nodes.Reports;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain bench SUITE`: candidate vs a baseline measured in the same run, with the ratio.</summary>
public static class BenchCommand
{
    private static readonly IReadOnlyDictionary<string, Func<BenchOptions, TextWriter, BenchReport>> Suites =
        new Dictionary<string, Func<BenchOptions, TextWriter, BenchReport>>
        {
            ["codec"] = RunCodec,
        };

    private sealed record BenchOptions(int Rounds, long? SizeBytes);

    public static Command Create()
    {
        var suite = new Argument<string>("suite") { Description = $"Suite to run: {string.Join(", ", Suites.Keys)}." };
        var json = new Option<string?>("--json") { Description = "Also write the report to this file." };
        var rounds = new Option<int>("--rounds") { Description = "Measurement rounds per case (median is kept).", DefaultValueFactory = _ => 7 };
        var size = new Option<long?>("--size-mb") { Description = "Measure only this payload size, in MiB." };
        var command = new Command("bench", "Run a benchmark suite; reports candidate / baseline from the same run.") { suite, json, rounds, size };
        command.SetAction(parse =>
        {
            var output = parse.InvocationConfiguration.Output;
            return UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
            {
                var name = parse.GetValue(suite)!;
                if (!Suites.TryGetValue(name, out var run))
                    throw new ArgumentException($"Unknown bench suite '{name}'; choose one of: {string.Join(", ", Suites.Keys)}.");
                var roundCount = parse.GetValue(rounds);
                if (roundCount < 1) throw new ArgumentException($"--rounds {roundCount}: must be at least 1.");
                var sizeMb = parse.GetValue(size);
                if (sizeMb is < 1) throw new ArgumentException($"--size-mb {sizeMb}: must be at least 1.");
                var report = run(new BenchOptions(roundCount, sizeMb * (1L << 20)), output);
                output.WriteLine(FormattableString.Invariant(
                    $"{report.Suite}: {report.Candidate} {report.CandidateGbps:F2} GB/s vs {report.Baseline} {report.BaselineGbps:F2} GB/s, ratio {report.Ratio:F3} ({report.RatioAt})"));
                var jsonPath = parse.GetValue(json);
                if (jsonPath is not null) ReportFiles.Write(jsonPath, report.ToJson());
                return 0;
            });
        });
        return command;
    }

    private static BenchReport RunCodec(BenchOptions options, TextWriter output)
    {
        var sizes = options.SizeBytes is { } s ? [s] : CodecBenchmark.DefaultSizes;
        output.WriteLine("size        encode GB/s  decode GB/s  memcpy GB/s  ratio (round trip / 2 copies)");
        var rows = new List<CodecMeasurement>();
        foreach (var bytes in sizes)
        {
            var m = CodecBenchmark.Measure(bytes, options.Rounds);
            rows.Add(m);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{bytes / (1 << 20),4} MiB  {m.EncodeGbps,11:F2}  {m.DecodeGbps,11:F2}  {m.MemcpyGbps,11:F2}  {m.Ratio,6:F3}"));
        }
        var headline = rows[^1];
        var roundTrip = 2 / (1 / headline.EncodeGbps + 1 / headline.DecodeGbps);
        return new BenchReport("codec", "codec round trip (encode+decode, CRC-32C)", "memory copy", roundTrip, headline.MemcpyGbps,
            headline.Ratio, $"{headline.Bytes / (1 << 20)} MiB payload", rows.Cast<object>().ToArray());
    }
}
