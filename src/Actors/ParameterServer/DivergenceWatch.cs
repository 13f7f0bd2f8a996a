namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// Counts worker steps that ended non-finite (a NaN or infinite loss or update) since the last accepted update. One
/// bad batch is retried; when every worker keeps failing, the run has diverged and retrying cannot help.
/// </summary>
public sealed class DivergenceWatch
{
    /// <summary>Fewest consecutive failures that end a run, whatever the worker count.</summary>
    public const int MinimumLimit = 3;

    private int _consecutive;

    /// <summary>The failure that ended the run, or null while it runs.</summary>
    public string? Verdict { get; private set; }

    /// <summary>Counts a failure; true once there were <paramref name="limit"/> in a row.</summary>
    public bool Record(string workerId, long version, string reason, int limit)
    {
        _consecutive++;
        if (_consecutive < Math.Max(limit, MinimumLimit)) return false;
        var advice = reason.Contains("--lr", StringComparison.Ordinal) ? "" : " Lower the learning rate (--lr) or check the inputs.";
        Verdict = $"training diverged at version {version}: {_consecutive} worker steps in a row were not finite " +
                  $"(last, worker {workerId}: {reason.TrimEnd('.')}).{advice}";
        return true;
    }

    public void Accepted() => _consecutive = 0;

    /// <summary>Two failed rounds of every registered worker.</summary>
    public static int LimitFor(int workers) => 2 * Math.Max(workers, 1);
}
