namespace ActorTrain.Actors.Protocol;

/// <summary>
/// What the tap revealed about one worker update: the classes in the batch and, when the update carries the
/// projection bias, how often each occurred. Published on <see cref="TapTopics.Revealed"/> and written to the tap's log.
/// </summary>
/// <param name="Version">The weights version the update was computed on (the step it belongs to).</param>
/// <param name="Counts">Occurrences of each of <paramref name="Labels"/>, same order; null without the bias.</param>
/// <param name="Samples">S, the samples behind the update as its metadata states them.</param>
/// <param name="RankUsed">Singular directions the attack kept.</param>
/// <param name="Seconds">Time the attack took.</param>
/// <param name="Score">Against the recorded truth, when the run records labels; null otherwise.</param>
public sealed record LabelsRevealed(
    string RunId, long Version, string WorkerId, int[] Labels, int[]? Counts, int Samples, int RankUsed, double Seconds, RevealedScore? Score)
    : IControlMessage;

/// <summary>One update's revealed set against the truth: labels found, wrongly claimed, missed; exact set; exact counts.</summary>
public sealed record RevealedScore(int Found, int Wrong, int Missed, bool ExactMatch, bool? ExactCounts);

/// <summary>Ask a tap how it is doing; it answers <see cref="TapReport"/>.</summary>
public sealed record GetTapReport : IControlMessage
{
    public static GetTapReport Instance { get; } = new();
}

/// <summary>
/// A tap's totals. <c>UpdatesSeen = UpdatesAttacked + Failed + Dropped + Queued</c> once the update in hand is done.
/// Scores are NaN until an update with recorded truth was attacked.
/// </summary>
/// <param name="RunId">Null until the tap knows which run it taps.</param>
/// <param name="UpdatesSeen">Worker updates that reached the tap.</param>
/// <param name="UpdatesAttacked">Updates the attack ran on to the end.</param>
/// <param name="Failed">Updates the attack could not read (e.g. no projection layer, non-finite values); logged with the reason.</param>
/// <param name="Dropped">Updates dropped unseen because the tap fell behind (its queue is bounded).</param>
/// <param name="Queued">Updates waiting now.</param>
/// <param name="Scored">Attacked updates with recorded truth.</param>
/// <param name="MeanSeconds">Mean attack time per attacked update.</param>
public sealed record TapReport(
    string? RunId, long UpdatesSeen, long UpdatesAttacked, long Failed, long Dropped, int Queued, long Scored,
    double Precision, double Recall, double ExactMatch, double CountAccuracy, double MeanSeconds) : IControlMessage
{
    /// <summary>The parameter server said the run is over.</summary>
    public bool RunFinished { get; init; }

    /// <summary>The inversion tap's totals (split runs); null for label revelation.</summary>
    public InversionReport? Inversion { get; init; }

    /// <summary>The online gradient inversion's totals (data-parallel runs with --attack invert); null otherwise.</summary>
    public GradientInversionReport? Gradients { get; init; }

    /// <summary>Every update that arrived has been attacked, failed or dropped.</summary>
    public bool Drained => Queued == 0 && UpdatesSeen == UpdatesAttacked + Failed + Dropped;
}

/// <summary>Topic names of the tap's results on DistributedPubSub.</summary>
public static class TapTopics
{
    public static string Revealed(string runId) => $"actortrain.revealed.{runId}";

    /// <summary>Where the online gradient inversion publishes each <see cref="UpdateInverted"/>.</summary>
    public static string Inverted(string runId) => $"actortrain.inverted.{runId}";
}
