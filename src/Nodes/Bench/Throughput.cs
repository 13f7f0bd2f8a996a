using System.Diagnostics;

namespace ActorTrain.Nodes.Bench;

/// <summary>
/// Measures candidate and baseline in the same run, alternating rounds so both see the same machine noise, and
/// keeps the median round of each.
/// </summary>
public static class Throughput
{
    /// <returns>Median seconds per call of each action.</returns>
    public static double[] MedianSeconds(int rounds, int callsPerRound, params Action[] actions)
    {
        foreach (var action in actions) action(); // warm-up: JIT, page faults
        var samples = actions.Select(_ => new List<double>()).ToArray();
        for (var r = 0; r < rounds; r++)
        {
            for (var a = 0; a < actions.Length; a++)
            {
                var clock = Stopwatch.StartNew();
                for (var c = 0; c < callsPerRound; c++) actions[a]();
                samples[a].Add(clock.Elapsed.TotalSeconds / callsPerRound);
            }
        }
        return samples.Select(s => s.Order().ElementAt(s.Count / 2)).ToArray();
    }

    /// <value>Gigabytes (10^9 bytes) per second.</value>
    public static double GigabytesPerSecond(long bytes, double seconds) => bytes / seconds / 1e9;
}
