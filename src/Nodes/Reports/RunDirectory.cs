using System.Security.Cryptography;

namespace ActorTrain.Nodes.Reports;

/// <summary>
/// runs-directory/&lt;run id&gt;/: where a run leaves its result.json, resolved config.conf and plots.
/// </summary>
public sealed class RunDirectory
{
    private RunDirectory(string runId, string path) => (RunId, Path) = (runId, path);

    public string RunId { get; }

    public string Path { get; }

    /// <summary>A fresh id: UTC time, mode and a random suffix, e.g. 20261122-134501-local-3f9a.</summary>
    public static string NewRunId(string mode) =>
        $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{mode}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2))}";

    /// <summary>Where <see cref="Create"/> puts the run, without creating anything.</summary>
    public static string PathFor(string runsDirectory, string runId) => System.IO.Path.GetFullPath(System.IO.Path.Combine(runsDirectory, runId));

    public static RunDirectory Create(string runsDirectory, string runId)
    {
        if (runId.Length == 0 || runId.IndexOfAny(System.IO.Path.GetInvalidFileNameChars()) >= 0 || runId is "." or "..")
            throw new ArgumentException($"Run id '{runId}' cannot be a directory name; use letters, digits, '-' and '_'.");
        if (System.IO.File.Exists(runsDirectory))
            throw new IOException($"Runs directory '{runsDirectory}' is a file; point --runs-dir at a directory.");
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(runsDirectory, runId));
        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
            throw new IOException($"Run directory '{path}' already exists and is not empty; choose another --run-id.");
        Directory.CreateDirectory(path);
        return new RunDirectory(runId, path);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);
}
