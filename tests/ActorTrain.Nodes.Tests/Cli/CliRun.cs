using ActorTrain.Nodes.Cli;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>Runs the `actortrain` command line in this process, capturing what it prints.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static CliRun Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ActorTrainCli.Run(args, output, error);
        return new CliRun(code, output.ToString(), error.ToString());
    }
}
