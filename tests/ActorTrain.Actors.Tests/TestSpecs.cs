using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using Akka.Configuration;

namespace ActorTrain.Actors.Tests;

/// <summary>Small runs on synthetic data, and cluster configuration for test actor systems.</summary>
internal static class TestSpecs
{
    public static readonly SyntheticClassification Data = new(Classes: 10, InputSize: 16, TrainSamples: 1200, TestSamples: 300, Noise: 0.5, Seed: 3);

    public static RunSpec Spec(string mode = "sync", int globalBatch = 16, double lr = 0.1, double momentum = 0, int localSteps = 4) =>
        new("test-run", mode, "mlp", [32], "synthetic", Data, new FortunesOptions(), globalBatch, Seed: 7, "sgd", lr, momentum, localSteps);

    public static ParameterServerSetup Setup(RunSpec spec, long? steps, string? stepLog = null, int epochs = 1, long maxUpdateBytes = long.MaxValue, TimeSpan? straggler = null)
    {
        var data = Data.Generate();
        return new ParameterServerSetup(
            spec,
            () => new ParameterStore(BuildModel(spec), Optimizers.Create(spec.Optimizer, spec.LearningRate, spec.Momentum)),
            data.Test, data.Train.Count, epochs, steps, EvaluationPoints: 2, MinWorkers: 1,
            straggler ?? TimeSpan.FromSeconds(30), MaxStaleness: 2, maxUpdateBytes, stepLog, _ => { });
    }

    public static LayeredModel BuildModel(RunSpec spec) => new ModelSpec(spec.Model, [Data.InputSize], Data.Classes, spec.Hidden).Build(spec.Seed);

    /// <summary>A one-node cluster config on a free loopback port; optionally serializing every message, even local ones.</summary>
    public static Config Cluster(bool serializeEverything = false) =>
        ConfigurationFactory.ParseString($"""
            akka.actor.serialize-messages = {(serializeEverything ? "on" : "off")}
            akka.loglevel = WARNING
            """).WithFallback(ClusterConfig.Build(new NodeAddress("127.0.0.1", 0, [], [ClusterRoles.ParameterServerRole, ClusterRoles.WorkerRole])));
}
