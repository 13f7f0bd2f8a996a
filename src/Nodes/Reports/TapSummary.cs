using System.Globalization;
using ActorTrain.Actors.Protocol;

namespace ActorTrain.Nodes.Reports;

/// <summary>The "tap" object of a run's result: what the tap saw and how well it revealed labels (scores null without recorded labels).</summary>
public sealed record TapSummary(
    string Attack, long UpdatesSeen, long UpdatesAttacked, long Failed, long Dropped, long Unfinished, long Scored,
    double? Precision, double? Recall, double? ExactMatch, double? CountAccuracy, double? MeanSeconds)
{
    public static TapSummary From(string attack, TapReport report) => new(
        attack, report.UpdatesSeen, report.UpdatesAttacked, report.Failed, report.Dropped,
        report.UpdatesSeen - report.UpdatesAttacked - report.Failed - report.Dropped, report.Scored,
        Finite(report.Precision), Finite(report.Recall), Finite(report.ExactMatch), Finite(report.CountAccuracy), Finite(report.MeanSeconds));

    /// <summary>One line for the console.</summary>
    public string Describe()
    {
        var line = $"tap ({Attack}): {UpdatesSeen} updates seen, {UpdatesAttacked} attacked, {Dropped} dropped, {Failed} failed";
        if (Unfinished > 0) line += $", {Unfinished} unfinished";
        if (MeanSeconds is { } s) line += string.Create(CultureInfo.InvariantCulture, $", {s:F3} s each");
        if (Scored == 0) return line + (UpdatesAttacked > 0 ? "; no recorded labels to score against (--record-labels)" : "");
        return line + string.Create(CultureInfo.InvariantCulture,
            $"; precision {Precision:F4}, recall {Recall:F4}, exact match {ExactMatch:F4}{(CountAccuracy is { } c ? $", count accuracy {c:F4}" : "")} over {Scored} updates");
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;
}
