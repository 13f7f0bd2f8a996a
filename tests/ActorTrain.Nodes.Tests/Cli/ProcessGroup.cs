namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// The `actortrain` processes one test starts, all in one temporary folder; disposing ends every process still running
/// and then removes the folder.
/// </summary>
internal sealed class ProcessGroup : IDisposable
{
    private readonly TempDirectory _folder = new();
    private readonly List<ActorTrainProcess> _processes = [];

    /// <summary>Every process started so far, in start order.</summary>
    public IReadOnlyList<ActorTrainProcess> All => _processes;

    public string Path => _folder.Path;

    public string File(string relative) => _folder.File(relative);

    public ActorTrainProcess Start(string name, params string[] args) => Start(name, new Dictionary<string, string>(), args);

    /// <param name="environment">Extra environment variables (secrets that must not appear on a command line).</param>
    public ActorTrainProcess Start(string name, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var process = ActorTrainProcess.Start(name, _folder.Path, environment, args);
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes) process.Dispose();
        _folder.Dispose();
    }
}
