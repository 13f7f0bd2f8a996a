namespace ActorTrain.Tensors.Attacks;

/// <summary>
/// Scores revealed label sets (and counts) against the true labels of the batches they came from, accumulated over
/// updates. Precision and recall are micro-averaged over labels: a label is one class present in one batch, so
/// precision = Σ|R ∩ T| / Σ|R| and recall = Σ|R ∩ T| / Σ|T| with R the revealed set and T the true set of each update.
/// Exact match is the share of updates with R = T. Count accuracy is the share of updates whose estimated counts
/// equal the true multiset exactly (every label, every count); only updates with counts take part in it.
/// </summary>
public sealed class RevelationScore
{
    private long _truePositives;
    private long _revealed;
    private long _present;

    /// <summary>Updates scored (those with ground truth).</summary>
    public long Updates { get; private set; }

    public long ExactMatches { get; private set; }

    /// <summary>Updates whose counts were estimated and scored.</summary>
    public long CountedUpdates { get; private set; }

    public long ExactCounts { get; private set; }

    /// <summary>1 when nothing was revealed yet (no false positive); NaN before the first update.</summary>
    public double Precision => Updates == 0 ? double.NaN : _revealed == 0 ? 1 : (double)_truePositives / _revealed;

    public double Recall => Updates == 0 ? double.NaN : _present == 0 ? 1 : (double)_truePositives / _present;

    public double ExactMatch => Updates == 0 ? double.NaN : (double)ExactMatches / Updates;

    /// <summary>NaN when no update had counts.</summary>
    public double CountAccuracy => CountedUpdates == 0 ? double.NaN : (double)ExactCounts / CountedUpdates;

    /// <summary>Scores one update.</summary>
    /// <param name="labels">Revealed classes (a set).</param>
    /// <param name="counts">Estimated occurrences of each of <paramref name="labels"/>, same order; null when not estimated.</param>
    /// <param name="truth">The batch's true labels, one per sample (repeats allowed).</param>
    public UpdateScore Add(IReadOnlyList<int> labels, IReadOnlyList<int>? counts, IReadOnlyList<long> truth)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(truth);
        if (counts is not null && counts.Count != labels.Count)
            throw new ArgumentException($"{counts.Count} counts for {labels.Count} labels.");
        var trueCounts = truth.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var revealed = labels.Select(l => (long)l).ToHashSet();
        var hits = revealed.Count(trueCounts.ContainsKey);
        var exact = hits == revealed.Count && hits == trueCounts.Count;
        _truePositives += hits;
        _revealed += revealed.Count;
        _present += trueCounts.Count;
        Updates++;
        if (exact) ExactMatches++;
        bool? countsExact = null;
        if (counts is not null)
        {
            countsExact = exact && labels.Select((l, i) => trueCounts[l] == counts[i]).All(x => x);
            CountedUpdates++;
            if (countsExact == true) ExactCounts++;
        }
        return new UpdateScore(hits, revealed.Count - hits, trueCounts.Count - hits, exact, countsExact);
    }
}

/// <summary>One update's score: labels found, wrongly claimed and missed; whether the set and the counts were exact.</summary>
public sealed record UpdateScore(int TruePositives, int FalsePositives, int Missed, bool ExactMatch, bool? ExactCounts);
