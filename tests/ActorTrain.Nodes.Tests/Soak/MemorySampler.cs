using System.Globalization;

namespace ActorTrain.Nodes.Tests.Soak;

/// <summary>One reading of a process's resident memory, with the run's committed steps at that moment.</summary>
internal sealed record MemorySample(string Process, double Seconds, long Steps, long ResidentBytes);

/// <summary>Samples the resident set size (VmRSS in /proc/PID/status) of a set of processes.</summary>
internal static class MemorySampler
{
    /// <summary>VmRSS in bytes; null once the process is gone.</summary>
    public static long? ResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException)
        {
        }
        return null;
    }

    public static void WriteCsv(string path, IEnumerable<MemorySample> samples) =>
        File.WriteAllLines(path, ["process,seconds,steps,rss_mib", .. samples.Select(s =>
            string.Create(CultureInfo.InvariantCulture, $"{s.Process},{s.Seconds:F1},{s.Steps},{s.ResidentBytes / 1048576.0:F1}"))]);
}
