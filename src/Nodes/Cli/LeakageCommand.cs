using System.CommandLine;
using System.Globalization;
using ActorTrain.Nodes.Reports;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Defenses;

namespace ActorTrain.Nodes.Cli;

/// <summary>
/// `actortrain leakage`: how much split-layer activations reveal about the inputs, as sample distance correlation
/// (the statistic NoPeek minimises) in its three forms; see docs/defenses.md.
/// </summary>
public static class LeakageCommand
{
    /// <summary>
    /// Most samples accepted: the computation holds several n × n float64 matrices (800 MB each at this limit), so a
    /// larger set should be subsampled.
    /// </summary>
    internal const int MaxSamples = 10_000;

    /// <summary>Highest rank accepted for either file (e.g. 4 for a batch of images n × channels × height × width).</summary>
    private const int MaxDimensions = 8;

    /// <summary>What `leakage --json` writes (snake_case keys).</summary>
    /// <param name="Dcor">dCor (V-statistic), in [0, 1].</param>
    /// <param name="DcorSquared">dCor² (V-statistic).</param>
    /// <param name="DcorUnbiased">Bias-corrected dCor² (U-centred, Székely and Rizzo 2014); may be slightly negative.</param>
    internal sealed record LeakageReport(double Dcor, double DcorSquared, double DcorUnbiased, int N);

    public static Command Create()
    {
        var inputs = new Option<string>("--inputs") { Description = "X: the raw inputs, float32/float64 .npy, first axis = samples (any rank; each sample is flattened).", Required = true };
        var activations = new Option<string>("--activations") { Description = "Z: the activations sent at the cut, float32/float64 .npy with the same samples in the same order.", Required = true };
        var json = new Option<string?>("--json") { Description = "Also write the result here: dcor, dcor_squared, dcor_unbiased, n." };
        var command = new Command("leakage", "Distance correlation between inputs and split-layer activations (NoPeek's leakage measure): dCor, dCor² and the bias-corrected dCor².")
            { inputs, activations, json };
        command.SetAction(parse => UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
        {
            var x = ReadSamples("--inputs", parse.GetValue(inputs)!);
            var z = ReadSamples("--activations", parse.GetValue(activations)!);
            if (x.Rows != z.Rows)
                throw new ArgumentException($"--inputs holds {x.Rows} samples but --activations holds {z.Rows}; they pair row by row.");
            if (x.Rows < DistanceCorrelation.MinimumSamplesUnbiased)
                throw new ArgumentException($"{x.Rows} samples are too few: the bias-corrected form needs at least {DistanceCorrelation.MinimumSamplesUnbiased} (it divides by n(n − 3)).");
            if (x.Rows > MaxSamples)
                throw new ArgumentException($"{x.Rows} samples are too many: memory grows as n², so pass at most {MaxSamples} (a random subsample).");
            var result = DistanceCorrelation.Measure(x.Values, z.Values, x.Rows);
            var report = new LeakageReport(result.Dcor, result.DcorSquared, result.DcorUnbiased, result.N);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(FormattableString.Invariant($"dcor: {report.Dcor:F6}"));
            output.WriteLine(FormattableString.Invariant($"dcor_squared: {report.DcorSquared:F6}"));
            output.WriteLine(FormattableString.Invariant($"dcor_unbiased: {report.DcorUnbiased:F6} (bias-corrected dCor²)"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"n: {report.N}"));
            if (parse.GetValue(json) is { } jsonPath)
                ReportFiles.Write(jsonPath, System.Text.Json.JsonSerializer.Serialize(report, TrainingReport.Json));
            return 0;
        }));
        return command;
    }

    /// <summary>Reads an array of any rank and rejects NaN or ±∞, naming the option, the sample and the position inside it.</summary>
    private static NpyArray ReadSamples(string option, string path)
    {
        NpyArray array;
        try
        {
            array = NpyReader.Read(path, MaxDimensions);
        }
        catch (NpyFormatException e)
        {
            throw new ArgumentException($"{option} {e.Message}", e); // which of the two files, in the user's words
        }
        var bad = Array.FindIndex(array.Values, v => !double.IsFinite(v));
        if (bad >= 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{option} {path}: sample {bad / array.Columns}, value {bad % array.Columns} (flattened) is {array.Values[bad]}; distances need finite values."));
        return array;
    }
}
