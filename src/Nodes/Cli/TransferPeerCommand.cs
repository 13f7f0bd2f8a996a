using System.CommandLine;
using ActorTrain.Nodes.Bench;

namespace ActorTrain.Nodes.Cli;

/// <summary>Hidden `actortrain transfer-peer --seed HOST:PORT`: the second process of `actortrain bench transfer`.</summary>
public static class TransferPeerCommand
{
    public static Command Create()
    {
        var seed = new Option<string>("--seed") { Description = "The benchmarking process's node (HOST:PORT or a full address).", Required = true };
        var command = new Command("transfer-peer", "Internal: the receiving end of `actortrain bench transfer`.") { seed };
        command.Hidden = true;
        command.SetAction((parse, cancellation) => TransferPeer.RunAsync(parse.GetValue(seed)!, parse.InvocationConfiguration.Output, cancellation));
        return command;
    }
}
