using System.CommandLine;

namespace ActorTrain.Nodes.Cli;

/// <summary>The `actortrain` command line.</summary>
public static class ActorTrainCli
{
    public static RootCommand Build()
    {
        var config = new Option<string?>("--config")
        {
            Description = "HOCON file whose keys override the built-in reference configuration (hocon/actortrain.conf).",
            Recursive = true,
        };
        return new RootCommand("ActorTrain: distributed actor-based training with TorchSharp, label-revelation attacks and defenses.")
        {
            config,
            TrainCommand.Create(config),
            RunCommand.Create(config),
            NodeCommand.Create(config),
            RunsCommand.Create(),
            ReplayCommand.Create(),
            BenchCommand.Create(config),
            AttackCommand.Create(),
            LeakageCommand.Create(),
            TransferPeerCommand.Create(),
        };
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers (the console by default).</summary>
    public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            ProcessTerminationTimeout = null, // Interrupts handles SIGINT and SIGTERM
        };
        var parse = Build().Parse(args);
        return CommandLineErrors.Check(parse, configuration.Error) ?? parse.InvokeAsync(configuration, Interrupts.Token).GetAwaiter().GetResult();
    }
}
