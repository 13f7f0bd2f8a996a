using System.Diagnostics;
using ActorTrain.Actors.ParameterServer;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// `node` with the cluster certificate (TLS) and the cluster secret, as separate processes on 127.0.0.1, with
/// credentials made by deploy/make-cluster-certificate.sh: strangers do not get in, or get nothing and are downed.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class SecureClusterProcessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly ProcessGroup _processes = new();

    public void Dispose() => _processes.Dispose();

    private ActorTrainProcess Start(string name, IReadOnlyDictionary<string, string> environment, params string[] args) =>
        _processes.Start(name, environment, args);

    private ActorTrainProcess Start(string name, params string[] args) => Start(name, new Dictionary<string, string>(), args);

    /// <summary>Runs the documented script; returns the folder with cluster.pfx, cluster.pfx.password, cluster.secret.</summary>
    private string MakeCredentials(string name)
    {
        var folder = _processes.File(name);
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(ActorTrainProcess.RepositoryRoot(), "deploy", "make-cluster-certificate.sh"), "--out", folder })
            start.ArgumentList.Add(arg);
        using var script = Process.Start(start)!;
        var output = script.StandardOutput.ReadToEnd() + script.StandardError.ReadToEnd();
        script.WaitForExit();
        Assert.True(script.ExitCode == 0, output);
        return folder;
    }

    private string[] ServerArgs(int port, params string[] extra) =>
    [
        "node", "--role", "ps", "--port", port.ToString(), "--min-workers", "1", "--model", "mlp", "--steps", "60", "--evaluations", "1",
        "--runs-dir", _processes.File("runs"), "--run-id", "secure", .. extra,
    ];

    private static string[] WorkerArgs(int port, params string[] extra) =>
        ["node", "--role", "worker", "--seed", $"127.0.0.1:{port}", "--workers", "1", .. extra];

    private IReadOnlyList<StepLogEntry> Steps() => StepLogEntry.ReadAll(_processes.File("runs/secure/steps.jsonl"));

    /// <summary>The worker id a node's output names (HOST:PORT/w0 from "node akka...://actortrain@HOST:PORT up as").</summary>
    private static string WorkerId(ActorTrainProcess node)
    {
        var line = node.Output.Split('\n').First(l => l.StartsWith("node ", StringComparison.Ordinal) && l.Contains(" up as "));
        return line.Split('@')[1].Split(' ')[0] + "/w0";
    }

    /// <summary>HOST:PORT of the node the parameter server's log says it downed for <paramref name="reason"/>.</summary>
    private static string DownedAddress(ActorTrainProcess ps, string reason)
    {
        var match = System.Text.RegularExpressions.Regex.Match(ps.Output, @"Downing akka\.tcp://actortrain@([0-9.]+:[0-9]+): " + System.Text.RegularExpressions.Regex.Escape(reason));
        Assert.True(match.Success, $"the parameter server never downed a node because {reason}:\n{ps.Output}");
        return match.Groups[1].Value;
    }

    [Fact]
    public async Task TlsCluster_StrangersWithoutTheCertificate_CannotJoin_AndTheRunUsesOnlyTheMember()
    {
        var cluster = MakeCredentials("cluster");
        var other = MakeCredentials("other");
        string[] Tls(string folder) => ["--tls-certificate", Path.Combine(folder, "cluster.pfx"), "--tls-password-file", Path.Combine(folder, "cluster.pfx.password")];
        var port = ActorTrainProcess.FreePort();
        var ps = Start("ps", ServerArgs(port, Tls(cluster)));

        // A node without TLS, and one with TLS but another certificate (its password from the environment).
        var plain = Start("plain", WorkerArgs(port, "--join-timeout", "8"));
        var stranger = Start("stranger", new Dictionary<string, string> { ["ACTORTRAIN_TLS_PASSWORD"] = File.ReadAllText(Path.Combine(other, "cluster.pfx.password")).Trim() },
            WorkerArgs(port, "--join-timeout", "8", "--tls-certificate", Path.Combine(other, "cluster.pfx")));
        Assert.NotEqual(0, await plain.WaitForExitAsync(Timeout));
        Assert.NotEqual(0, await stranger.WaitForExitAsync(Timeout));
        Assert.Contains("Could not join the cluster", plain.Output);
        // The stranger fails the handshake too (it also refuses the server's certificate, but shuts down at once,
        // so that log line does not always make it out).
        Assert.True(new[] { "is not this cluster's", "TLS handshake failed", "Could not join the cluster" }.Any(stranger.Output.Contains), stranger.Output);
        // The server's own refusal ("is not this cluster's") is not required either: in the TLS handshake the server
        // presents its certificate first, and the stranger, which pins its own certificate, may abort right there,
        // before the server ever sees the stranger's certificate (a full run under load had no server line at all).
        // What matters is asserted: neither stranger joins, and below, neither takes part in a step.

        var member = Start("member", WorkerArgs(port, Tls(cluster)));
        Assert.True(await ps.WaitForExitAsync(Timeout) == 0, ps.Output);
        Assert.Equal(0, await member.WaitForExitAsync(Timeout));
        Assert.Contains("akka.ssl.tcp://actortrain@127.0.0.1:" + port, ps.Output);
        var steps = Steps();
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Equal([WorkerId(member)], s.Workers));
    }

    [Fact]
    public async Task ClusterSecret_WrongOrMissingSecret_IsDownedAndGetsNoWork_RightSecretTrains()
    {
        var cluster = MakeCredentials("cluster");
        var other = MakeCredentials("other");
        var config = _processes.File("security.conf");
        await File.WriteAllTextAsync(config, "actortrain.security.authentication-timeout = 3s");
        var port = ActorTrainProcess.FreePort();
        var ps = Start("ps", ServerArgs(port, "--config", config, "--cluster-secret-file", Path.Combine(cluster, "cluster.secret")));

        // Wrong secret (from the environment, as an operator would pass it), and no secret at all: the second has no
        // gatekeeper to answer, so it is downed when the authentication timeout expires.
        var wrong = Start("wrong", new Dictionary<string, string> { ["ACTORTRAIN_CLUSTER_SECRET"] = File.ReadAllText(Path.Combine(other, "cluster.secret")) },
            WorkerArgs(port));
        var silent = Start("silent", WorkerArgs(port));
        Assert.NotEqual(0, await wrong.WaitForExitAsync(Timeout));
        Assert.NotEqual(0, await silent.WaitForExitAsync(Timeout));
        Assert.Contains("refused this node's cluster secret", wrong.Output);
        // Their addresses as the parameter server names them (a node downed within milliseconds of coming up may not
        // get to print its own "up as" line).
        var downedWrong = DownedAddress(ps, "it proved another cluster secret");
        var downedSilent = DownedAddress(ps, "it did not prove the cluster secret within 3 s");
        Assert.NotEqual(downedWrong, downedSilent);

        var member = Start("member", WorkerArgs(port, "--cluster-secret-file", Path.Combine(cluster, "cluster.secret")));
        Assert.True(await ps.WaitForExitAsync(Timeout) == 0, ps.Output);
        Assert.Equal(0, await member.WaitForExitAsync(Timeout));
        var steps = Steps();
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), steps.Select(s => s.Step));
        Assert.All(steps, s => Assert.Equal([WorkerId(member)], s.Workers)); // the downed nodes never took part in a step
        Assert.DoesNotContain($"Worker {downedWrong}/", ps.Output); // nor registered: no Welcome, no weights
        Assert.DoesNotContain($"Worker {downedSilent}/", ps.Output);
    }
}
