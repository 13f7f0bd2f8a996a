using System.CommandLine;
using System.Globalization;
using ActorTrain.Nodes.Bench;
using ActorTrain.Nodes.Configuration;
using ActorTrain.Nodes.Reports;
using ActorTrain.Nodes.Training;

namespace ActorTrain.Nodes.Cli;

/// <summary>`actortrain bench SUITE`: candidate vs a baseline measured in the same run, with the ratio.</summary>
public static class BenchCommand
{
    private sealed record BenchContext(ParseResult Parse, int Rounds, TextWriter Output, Func<TrainSettings> Train, int Workers, int Steps, long? SizeBytes, int Sources,
        string? JsonPath = null, bool CostOnly = false, ActorTrainConfiguration? Configuration = null, TrainOverrides? TrainCli = null,
        bool SyntheticOnly = false, InvertBenchOptions? Invert = null);

    private static readonly IReadOnlyDictionary<string, Func<BenchContext, BenchReport>> Suites =
        new Dictionary<string, Func<BenchContext, BenchReport>>
        {
            ["codec"] = RunCodec,
            ["aggregate"] = RunAggregate,
            ["train-overhead"] = RunTrainOverhead,
            ["rlg"] = RunRlg,
            ["replay"] = RunReplay,
            ["nopeek"] = RunNoPeek,
            ["transfer"] = RunTransfer,
            ["defenses"] = RunDefenses,
            ["invert"] = RunInvert,
        };

    public static Command Create(Option<string?> configOption)
    {
        var suite = new Argument<string>("suite") { Description = $"Suite to run: {string.Join(", ", Suites.Keys)}." };
        var json = new Option<string?>("--json") { Description = "Also write the report to this file." };
        var rounds = new Option<int>("--rounds") { Description = "Measurement rounds per case (median is kept); defenses: 2 × rounds synthetic updates per setting.", DefaultValueFactory = _ => 5 };
        var size = new Option<long?>("--size-mb") { Description = "codec, aggregate: payload size per array, in MiB; transfer: the one tensor size to measure (default 1, 8 and 64); replay: recorded payload in all, in MiB (default 64)." };
        var sources = new Option<int>("--sources") { Description = "aggregate: how many updates are summed.", DefaultValueFactory = _ => 8 };
        var workers = new Option<int>("--workers") { Description = "train-overhead: in-process workers.", DefaultValueFactory = _ => 2 };
        var steps = new Option<int>("--steps") { Description = "train-overhead: steps per measurement; nopeek, defenses: training steps per setting; invert: SGD steps before the trained stage (50 unless given).", DefaultValueFactory = _ => 300 };
        var costOnly = new Option<bool>("--cost-only") { Description = "nopeek: only the step-time cost (plain vs NoPeek split step at batch 64 and 128); no training sweep, attack or plots." };
        var syntheticOnly = new Option<bool>("--synthetic-only") { Description = "defenses: only the synthetic 1000-class part (no training runs)." };
        var invertModels = new Option<string>("--models") { Description = "invert: image models, comma-separated (mlp, cnn).", DefaultValueFactory = _ => "mlp,cnn" };
        var invertBatches = new Option<string>("--batch-sizes") { Description = "invert: batch sizes, comma-separated.", DefaultValueFactory = _ => "1,2,4,8" };
        var invertIterations = new Option<int>("--iterations") { Description = "invert: most inversion steps per restart.", DefaultValueFactory = _ => 300 };
        var invertRestarts = new Option<int>("--restarts") { Description = "invert: random restarts per inversion (the best gradient match is kept).", DefaultValueFactory = _ => 1 };
        var invertBatchCount = new Option<int>("--batches") { Description = "invert: seeded test batches per batch size.", DefaultValueFactory = _ => 1 };
        var train = new TrainOptions(includeSteps: false);
        var command = new Command("bench", "Run a benchmark suite; reports candidate / baseline from the same run.")
            { suite, json, rounds, size, sources, workers, steps, costOnly, syntheticOnly, invertModels, invertBatches, invertIterations, invertRestarts, invertBatchCount };
        train.AddTo(command);
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
                if (parse.GetValue(sources) < 1) throw new ArgumentException("--sources: must be at least 1.");
                if (parse.GetValue(workers) < 1 || parse.GetValue(steps) < 1) throw new ArgumentException("--workers and --steps must be at least 1.");
                var configuration = ActorTrainConfiguration.Load(parse.GetValue(configOption)); // even for suites that use none: a broken file is still reported
                var invert = new InvertBenchOptions(
                    CommaList(parse.GetValue(invertModels)!, "--models", s => s),
                    CommaList(parse.GetValue(invertBatches)!, "--batch-sizes", s => int.Parse(s, CultureInfo.InvariantCulture)),
                    // --steps defaults to 300 for the other suites; invert's training stage is 50 SGD steps unless given
                    TrainSteps: parse.GetResult(steps) is { Implicit: false } ? parse.GetValue(steps) : 50,
                    Iterations: parse.GetValue(invertIterations), Restarts: parse.GetValue(invertRestarts), BatchesPerSize: parse.GetValue(invertBatchCount));
                if (invert.Iterations < 1 || invert.Restarts < 1) throw new ArgumentException("--iterations and --restarts must be at least 1.");
                var report = run(new BenchContext(parse, roundCount, output,
                    () => TrainSettings.Resolve(configuration, train.Read(parse)),
                    parse.GetValue(workers), parse.GetValue(steps), sizeMb * (1L << 20), parse.GetValue(sources), parse.GetValue(json), parse.GetValue(costOnly),
                    configuration, train.Read(parse), parse.GetValue(syntheticOnly), invert));
                output.WriteLine(report.Summary());
                var jsonPath = parse.GetValue(json);
                if (jsonPath is not null) ReportFiles.Write(jsonPath, report.ToJson());
                return 0;
            });
        });
        return command;
    }

    private static BenchReport RunCodec(BenchContext context)
    {
        var sizes = context.SizeBytes is { } s ? [s] : CodecBenchmark.DefaultSizes;
        context.Output.WriteLine("size        encode GB/s  decode GB/s  memcpy GB/s  ratio (round trip / 2 copies)");
        var rows = new List<CodecMeasurement>();
        foreach (var bytes in sizes)
        {
            var m = CodecBenchmark.Measure(bytes, context.Rounds);
            rows.Add(m);
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{bytes / (1 << 20),4} MiB  {m.EncodeGbps,11:F2}  {m.DecodeGbps,11:F2}  {m.MemcpyGbps,11:F2}  {m.Ratio,6:F3}"));
        }
        var headline = rows[^1];
        var roundTrip = 2 / (1 / headline.EncodeGbps + 1 / headline.DecodeGbps);
        return new BenchReport("codec", "codec round trip (encode+decode, CRC-32C)", "memory copy", headline.Ratio,
            $"{headline.Bytes / (1 << 20)} MiB payload", rows.Cast<object>().ToArray(), roundTrip, headline.MemcpyGbps);
    }

    private static BenchReport RunAggregate(BenchContext context)
    {
        var bytes = context.SizeBytes ?? 100L << 20;
        var m = AggregateBenchmark.Measure(context.Sources, bytes, context.Rounds);
        context.Output.WriteLine(FormattableString.Invariant(
            $"{m.Sources} updates of {bytes / (1 << 20)} MiB: weighted sum {m.CandidateGbps:F2} GB/s, plain vectorised sum {m.BaselineGbps:F2} GB/s (bytes read per second)"));
        return new BenchReport("aggregate", "parameter-server weighted sum", "plain vectorised sum", m.Ratio,
            $"{m.Sources} × {bytes / (1 << 20)} MiB", [m], m.CandidateGbps, m.BaselineGbps);
    }

    private static BenchReport RunTrainOverhead(BenchContext context)
    {
        var (rounds, parameters) = TrainOverheadBenchmark.Measure(context.Train(), context.Workers, context.Steps, context.Rounds, context.Output);
        static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
        var train = Median(rounds.Select(r => r.TrainSamplesPerSecond));
        var run = Median(rounds.Select(r => r.RunSamplesPerSecond));
        return new BenchReport("train-overhead", $"run (1 PS + {context.Workers} in-process workers, sync)", "train (single process)",
            Median(rounds.Select(r => r.Ratio)), $"{parameters:N0} parameters, median of {rounds.Count} rounds", rounds.Cast<object>().ToArray(),
            CandidateSamplesPerSecond: run, BaselineSamplesPerSecond: train);
    }

    private static BenchReport RunReplay(BenchContext context)
    {
        var rounds = ReplayBenchmark.Measure(context.SizeBytes ?? 64L << 20, context.Rounds, context.Output);
        var median = rounds.OrderBy(r => r.Ratio).ElementAt(rounds.Count / 2);
        return new BenchReport("replay", "journal replay (SQLite, Akka.Persistence.Query, decode + CRC-32C)", "flat file read", median.Ratio,
            FormattableString.Invariant($"{median.Updates} updates, {median.PayloadBytes / 1e6:F0} MB, median of {rounds.Count} rounds"),
            rounds.Cast<object>().ToArray(), median.JournalMbps / 1000, median.FileMbps / 1000);
    }

    private static BenchReport RunNoPeek(BenchContext context)
    {
        var train = context.Train();
        using var data = Tensors.Data.FashionMnist.Load(train.DataDirectory);
        var options = new NoPeekBenchOptions([0, 0.1, 0.5, 1, 2, 5], [0, 0.1], Steps: context.Steps, Seed: train.Training.Seed,
            CostRounds: Math.Max(3, context.Rounds));
        if (context.CostOnly)
        {
            var cost = NoPeekBenchmark.MeasureCost(data, options, context.Output);
            return NoPeekReport(cost, [.. cost]);
        }
        var outcome = NoPeekBenchmark.Run(data, options, context.Output);
        var directory = context.JsonPath is { } json ? Path.GetDirectoryName(Path.GetFullPath(json))! : Directory.GetCurrentDirectory();
        foreach (var file in NoPeekPlots.Save(directory, outcome)) context.Output.WriteLine($"wrote {file}");
        return NoPeekReport(outcome.Cost, [.. outcome.Rows.Cast<object>(), .. outcome.Cost.Cast<object>(), outcome.MeanImageBaseline]);
    }

    /// <summary>The headline is the cost at batch 128; <paramref name="rows"/> go into the JSON as they are.</summary>
    private static BenchReport NoPeekReport(IReadOnlyList<NoPeekCost> cost, IReadOnlyList<object> rows)
    {
        var at128 = cost.Single(c => c.BatchSize == 128);
        return new BenchReport("nopeek", "NoPeek split step (α = 1)", "plain split step", at128.PlainMilliseconds / at128.NoPeekMilliseconds,
            "batch 128 (ratio = plain / NoPeek step time; 0.8 is a 1.25× cost)", rows,
            CandidateSeconds: at128.NoPeekMilliseconds / 1000, BaselineSeconds: at128.PlainMilliseconds / 1000);
    }

    private static BenchReport RunInvert(BenchContext context)
    {
        var train = context.Train();
        using var data = Tensors.Data.FashionMnist.Load(train.DataDirectory);
        var outcome = InvertBenchmark.Run(data, context.Invert! with { Seed = train.Training.Seed }, context.Output);
        var means = InvertBenchmark.Means(outcome.Rows);
        context.Output.WriteLine("mean over all cases: labels  PSNR   SSIM  label acc  seconds");
        foreach (var m in means)
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"                     {m.Regime,-6} {m.Psnr,5:F2}  {m.Ssim,5:F3}  {m.LabelAccuracy,9:F2}  {m.Seconds,7:F2}"));
        var directory = context.JsonPath is { } json ? Path.GetDirectoryName(Path.GetFullPath(json))! : Directory.GetCurrentDirectory();
        context.Output.WriteLine($"wrote {InvertPlots.Save(directory, outcome)}");
        var (rlg, none) = (means.Single(m => m.Regime == "rlg"), means.Single(m => m.Regime == "none"));
        return new BenchReport("invert", "gradient inversion with RLG-revealed labels", "gradient inversion with unknown labels (joint, DLG)",
            rlg.Psnr / none.Psnr, "ratio = mean PSNR (rlg) / mean PSNR (none) over all cases; times are mean seconds per inversion",
            outcome.Rows.Cast<object>().ToArray(), CandidateSeconds: rlg.Seconds, BaselineSeconds: none.Seconds);
    }

    private static T[] CommaList<T>(string text, string option, Func<string, T> parse)
    {
        try
        {
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(parse).ToArray();
            return items.Length > 0 ? items : throw new FormatException();
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{option} '{text}': give a comma-separated list, e.g. {(option == "--models" ? "mlp,cnn" : "1,2,4,8")}.");
        }
    }

    private static BenchReport RunTransfer(BenchContext context)
    {
        var rows = TransferBenchmark.Measure(context.SizeBytes is { } s ? [s] : TransferBenchmark.DefaultSizes, context.Rounds, context.Output);
        var headline = rows[^1];
        return new BenchReport("transfer", "data plane (serialized tensor message as a checked blob, to a second actortrain process)", "plain TCP socket (same bytes)",
            headline.DataPlaneRatio, FormattableString.Invariant(
                $"{headline.SizeBytes >> 20} MiB tensor, 127.0.0.1; whole message incl. decoding: data plane / socket {headline.DataPlaneMessageRatio:F3}, chunked Akka / socket {headline.ChunkedRatio:F3}"),
            rows.Cast<object>().ToArray(), headline.DataPlaneGbps, headline.SocketGbps);
    }

    /// <summary>Headline: bytes per step of top-k 1% against none (ratio = dense / compressed), rows: every setting.
    /// Unless given, global batch 8 (4 samples per worker update, where the tap is near exact undefended) and lr 0.01
    /// (at the configured 0.05 with momentum 0.9, batches this small and sign updates do not train).</summary>
    private static BenchReport RunDefenses(BenchContext context)
    {
        var cli = context.TrainCli!;
        var options = new DefensesBenchOptions(context.Steps, cli.BatchSize ?? 8, context.Workers, 2 * context.Rounds, context.SyntheticOnly);
        var rows = DefensesBenchmark.Run(context.Configuration!, cli with { BatchSize = null, LearningRate = cli.LearningRate ?? 0.01 }, options, context.Output);
        var directory = context.JsonPath is { } json ? Path.GetDirectoryName(Path.GetFullPath(json))! : Directory.GetCurrentDirectory();
        foreach (var file in DefensesPlots.Save(directory, rows)) context.Output.WriteLine($"wrote {file}");
        var part = rows.Any(r => r.Part == "training") ? "training" : "synthetic";
        var none = rows.First(r => r.Part == part && r.Setting == "none");
        var topk = rows.First(r => r.Part == part && r.Setting == "topk 0.01");
        return new BenchReport("defenses", "top-k 1% update (bytes)", "dense float32 update (bytes)", none.BytesPerStep / topk.BytesPerStep,
            $"{part} part; ratio = dense / top-k bytes per step; leakage and accuracy per setting in rows", [.. rows]);
    }

    private static BenchReport RunRlg(BenchContext context) => RlgBenchmark.Run(RlgBenchmark.DefaultGrid, context.Rounds, context.Output);
}
