using System.CommandLine;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Nodes.Configuration;
using ActorTrain.Nodes.Reports;
using ActorTrain.Nodes.Training;
using ActorTrain.Tensors.Devices;
using Akka.Actor;

namespace ActorTrain.Nodes.Cli;

/// <summary>
/// `actortrain node`: one cluster member on this machine. Role ps runs the parameter server (and decides what is
/// trained: it takes the training options); role worker runs workers that get everything else from it.
/// </summary>
public static class NodeCommand
{
    public static Command Create(Option<string?> configOption)
    {
        var roles = new Option<string[]>("--role") { Description = "ps | worker | tap | split-server (repeatable). tap: label revelation (RLG) on every worker update of the current run, or inversion of a split run's activations; split-server: the server side of --split.", Required = true, AllowMultipleArgumentsPerToken = false };
        var seeds = new Option<string[]>("--seed") { Description = "A seed node, HOST:PORT (repeatable). Omit on the first node: it starts the cluster." };
        var host = new Option<string?>("--host") { Description = "Address this node binds and others use to reach it (config: akka.remote.dot-netty.tcp.hostname, default 127.0.0.1)." };
        var port = new Option<int?>("--port") { Description = "Port to bind, 0 = any free port; give seed nodes a fixed one (config: akka.remote.dot-netty.tcp.port, default 0)." };
        var joinTimeout = new Option<int>("--join-timeout") { Description = "Seconds to wait for the seed nodes.", DefaultValueFactory = _ => 60 };
        var train = new TrainOptions(seedOption: "--training-seed");
        var cluster = new ClusterOptions();
        var security = new SecurityOptions();
        var command = new Command("node", "Start one member of a multi-machine cluster.") { roles, seeds, host, port, joinTimeout };
        train.AddTo(command);
        cluster.AddTo(command);
        security.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var output = parse.InvocationConfiguration.Output;
            return Task.FromResult(UserErrors.Guard(parse.InvocationConfiguration.Error, () =>
            {
                var roleList = parse.GetValue(roles)!.Select(r => r.ToLowerInvariant()).Distinct().ToArray();
                var unknown = roleList.FirstOrDefault(r => r is not (ClusterRoles.ParameterServerRole or ClusterRoles.WorkerRole or ClusterRoles.TapRole or ClusterRoles.SplitServerRole));
                if (unknown is not null) throw new ConfigurationException($"--role {unknown}: choose ps, worker, tap or split-server.");
                if (roleList.Contains(ClusterRoles.SplitServerRole))
                {
                    if (parse.GetValue(cluster.SplitCut) is null) throw new ConfigurationException("--role split-server runs a split-learning run: give --split CUT.");
                    roleList = [.. roleList.Where(r => r != ClusterRoles.ParameterServerRole), ClusterRoles.ParameterServerRole]; // the singleton's role
                }
                var overrides = cluster.Read(parse);
                var settings = ClusterSettings.Resolve(ActorTrainConfiguration.Load(parse.GetValue(configOption)), train.Read(parse),
                    overrides with { LogLevel = overrides.LogLevel ?? "INFO" }); // a node's log is its console
                var protection = security.Read(parse, settings.Cluster);
                var node = new NodeAddress(parse.GetValue(host), parse.GetValue(port),
                    (parse.GetValue(seeds) ?? []).Select(s => ClusterNode.SeedAddress(s, protection.Tls)).ToArray(), roleList);
                var workerDevices = roleList.Contains(ClusterRoles.WorkerRole) ? WorkerDevicesOf(parse, train, cluster, settings) : [];

                var isServer = roleList.Contains(ClusterRoles.ParameterServerRole);
                var isTap = roleList.Contains(ClusterRoles.TapRole);
                if (isTap) settings = settings with { Attack = settings.Attack ?? "rlg" };
                var runId = parse.GetValue(train.RunId) ?? RunDirectory.NewRunId("cluster");
                var journal = isServer
                    ? settings.JournalFor(RunDirectory.PathFor(settings.Train.RunsDirectory, runId))
                    : (Config: JournalConfig.None, Persistent: false, Description: "none");
                var system = ClusterNode.StartAsync(node, journal.Config.WithFallback(settings.Cluster), settings.LogLevel,
                        TimeSpan.FromSeconds(parse.GetValue(joinTimeout)), cancellation, protection)
                    .GetAwaiter().GetResult();
                var address = Akka.Cluster.Cluster.Get(system).SelfAddress;
                output.WriteLine($"node {address} up as {string.Join(", ", roleList)}; {SecurityOptions.Describe(protection)}");
                var dataPlane = Actors.Transport.DataPlane.DataPlane.For(system);
                if (dataPlane.IsRunning) output.WriteLine($"data plane on {dataPlane.Settings.BindHost}:{dataPlane.Port} (tensor messages from {dataPlane.Settings.ThresholdBytes} bytes)");
                var tap = isTap && !isServer
                    ? TapNode.RunAsync(system, settings.Tap!, null, TimeSpan.FromSeconds(10),
                        r => output.WriteLine(Describe(settings.Attack!, r)), cancellation)
                    : Task.FromResult<Actors.Protocol.TapReport?>(null);
                if (workerDevices.Count > 0) output.WriteLine($"workers: {workerDevices.Count} ({Describe(workerDevices)})");
                var workers = workerDevices.Count > 0
                    ? WorkerNode.RunAsync(system, workerDevices.Select(d => d.Name).ToArray(), settings.Train.DataDirectory, cancellation,
                        ClusterRun.ThreadsPerWorker(settings.Train, workerDevices.Count), settings.Train.FortunesDirectory, settings.UpdateTransforms)
                    : Task.FromResult(true);
                if (isServer)
                {
                    var view = new ProgressView(output, ProgressView.IsInteractive(output));
                    output.WriteLine($"journal: {journal.Description}");
                    var report = ClusterRun.Execute(settings, runId, journal.Persistent, view, output,
                        setup => RunParameterServer(system, setup, isTap ? settings.Tap : null, cancellation));
                    TrainCommand.Finish(report, parse.GetValue(train.Json), output);
                }
                var completed = workers.GetAwaiter().GetResult();
                if (tap.GetAwaiter().GetResult() is { } tapReport)
                {
                    var inversion = (IInversionSummary?)InversionSummary.From(tapReport) ?? GradientInversionSummary.From(tapReport);
                    var summary = inversion is null ? TapSummary.From(settings.Attack!, tapReport) : null;
                    output.WriteLine(Describe(settings.Attack!, tapReport));
                    if (parse.GetValue(train.Json) is { } jsonPath)
                        ReportFiles.Write(jsonPath, System.Text.Json.JsonSerializer.Serialize(new { RunId = tapReport.RunId, Tap = summary, Inversion = inversion }, TrainingReport.Json));
                }
                else if (isTap && !isServer)
                {
                    completed = false;
                }
                CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance).GetAwaiter().GetResult();
                if (!completed)
                {
                    parse.InvocationConfiguration.Error.WriteLine("error: this node was removed from the cluster before the run finished.");
                    return UserErrors.Failed;
                }
                return 0;
            }));
        });
        return command;
    }

    /// <summary>
    /// This node's workers and their devices (<see cref="WorkerDevices.Plan"/>): --device puts every worker on it; without
    /// it, one worker per visible GPU (or --workers of them in turn), else the configured device (cpu by default).
    /// </summary>
    private static IReadOnlyList<ComputeDevice> WorkerDevicesOf(ParseResult parse, TrainOptions train, ClusterOptions cluster, ClusterSettings settings)
    {
        var available = ComputeDevice.Available();
        var device = train.Read(parse).Device ?? (available.All(d => d.CudaIndex is null) ? settings.Train.Training.Device : null);
        return WorkerDevices.Plan(parse.GetValue(cluster.Workers), device, available);
    }

    private static string Describe(IReadOnlyList<ComputeDevice> devices) =>
        string.Join(", ", devices.GroupBy(d => d.Name).Select(g => g.Count() == 1 ? g.Key : $"{g.Count()} on {g.Key}"));

    /// <summary>The tap's line: label revelation or gradient inversion on a data-parallel run, inversion on a split run.</summary>
    private static string Describe(string attack, Actors.Protocol.TapReport report) =>
        InversionSummary.From(report)?.Describe() ?? GradientInversionSummary.From(report)?.Describe() ?? TapSummary.From(attack, report).Describe();

    /// <param name="tap">A tap beside the server on this node (roles ps and tap), or null.</param>
    private static async Task<RunOutcome> RunParameterServer(ActorSystem system, ParameterServerSetup setup, Actors.Tap.TapSettings? tap,
        CancellationToken cancellation)
    {
        var outcome = new TaskCompletionSource<RunOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        ClusterRoles.StartParameterServer(system, setup with { OnFinished = o => outcome.TrySetResult(o), OnFailed = e => outcome.TrySetException(e) });
        var tapReport = tap is null
            ? null
            : TapNode.RunAsync(system, tap, setup.Spec, TimeSpan.MaxValue, _ => { }, cancellation);
        await using var stop = cancellation.Register(() => outcome.TrySetCanceled(cancellation));
        var first = await Task.WhenAny(outcome.Task, system.WhenTerminated);
        if (first != outcome.Task) throw new InvalidOperationException("The parameter server's node left the cluster before the run finished.");
        var result = await outcome.Task;
        return tapReport is null ? result : result with { Tap = await tapReport };
    }
}
