using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Transport;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Devices;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Workers;

/// <summary>
/// A worker: owns one device, registers with the parameter server (through the singleton proxy), and for every
/// <see cref="StepOrder"/> loads the weights, computes on its shard and sends a <see cref="WorkerUpdate"/> back.
/// Its shard follows the order's member list (rendezvous hashing), so it moves only when membership changes.
/// It keeps registering while it has no work, which is also how it finds a parameter server that moved.
/// Runs on its own thread (a pinned dispatcher): TorchSharp calls block.
/// </summary>
public sealed partial class WorkerActor : ReceiveActor, IWithTimers
{
    private readonly WorkerSettings _settings;
    private readonly IActorRef _parameterServer;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TensorTransport _transport;
    private RunSpec? _spec;
    private ModelReplica? _replica;
    private int _trainSamples;
    private string[] _members = [];
    private int _batchSize;
    private BufferRing? _updates;
    private Tensors.Compression.UpdatePipeline? _transforms;
    private bool _serverDown;

    public WorkerActor(WorkerSettings settings, IActorRef parameterServerProxy)
    {
        _settings = settings;
        _parameterServer = parameterServerProxy;
        _transport = TensorTransport.For(Context.System);
        Receive<Register>(_ => _parameterServer.Tell(new RegisterWorker(_settings.WorkerId, _settings.Device)));
        Receive<Welcome>(OnWelcome);
        Receive<StepOrder>(OnOrder);
        Receive<UpdateRejected>(r => _log.Warning("Worker {0}: update for version {1} rejected: {2}", r.WorkerId, r.Version, r.Reason));
        Receive<RunFinished>(OnFinished);
        ReceiveSplit();
        Receive<ServerUnavailable>(_ =>
        {
            if (_serverDown) return; // the answer to every registration while it is down: say it once
            _serverDown = true;
            _log.Warning("Worker {0}: the parameter server is down (its journal failed; it restarts by itself); registering until it is back.", _settings.WorkerId);
        });
        Receive<ReceiveTimeout>(_ =>
        {
            AbandonSplitStep();
            StartRegistering();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(WorkerSettings settings, IActorRef parameterServerProxy) =>
        Akka.Actor.Props.Create(() => new WorkerActor(settings, parameterServerProxy)).WithDispatcher(ComputeDispatcher.Id);

    protected override void PreStart()
    {
        // TorchSharp's thread count is a per-thread setting: set it on the thread this actor is pinned to.
        if (_settings.Threads > 0) TorchSharp.torch.set_num_threads(_settings.Threads);
        StartRegistering();
    }

    protected override void PostStop()
    {
        _replica?.Dispose();
        _splitClient?.Dispose();
    }

    private void StartRegistering()
    {
        Context.SetReceiveTimeout(null);
        Timers.StartPeriodicTimer("register", Register.Instance, TimeSpan.Zero, _settings.RegisterInterval);
    }

    private void OnWelcome(Welcome welcome)
    {
        _serverDown = false;
        if (_spec?.RunId == welcome.Spec.RunId)
        {
            Sender.Tell(new WorkerReady(_spec.RunId, _settings.WorkerId));
            return;
        }
        _replica?.Dispose();
        _replica = null;
        DatasetSplits data;
        try
        {
            data = RunData.Load(welcome.Spec, _settings.FashionMnistDirectory, Fortunes.ResolveDirectory(_settings.FortunesDirectory, null));
            var model = new ModelSpec(welcome.Spec.Model, data.Train.SampleShape, data.Train.ClassCount, welcome.Spec.Hidden).Build(welcome.Spec.Seed);
            if (welcome.Spec.Split is { } split) JoinSplitRun(welcome.Spec, split, model, data.Train);
            else _replica = new ModelReplica(model, data.Train, ComputeDevice.Parse(_settings.Device).ToTorch(), (ulong)welcome.Spec.Seed);
        }
        catch (Exception e) when (e is DatasetNotFoundException or IdxFormatException or ArgumentException or InvalidOperationException or IOException)
        {
            _log.Error("Worker {0} cannot join run {1}: {2}", _settings.WorkerId, welcome.Spec.RunId, e.Message);
            _settings.OnFailed?.Invoke(e);
            Context.Stop(Self);
            return;
        }
        _spec = welcome.Spec;
        _trainSamples = data.Train.Count;
        // sync and local-sgd: the server is done with update v before this worker computes v+1, so a ring of 3 is safe.
        _updates = welcome.Spec.Mode == "async" || _replica is null ? null : new BufferRing(_replica.Layout.TotalLength, 3);
        _members = [];
        _transforms = _replica is null || _settings.Transforms is not { IsNone: false } options
            ? null
            : new Tensors.Compression.UpdatePipeline(options, _replica.Layout.Slots.Select(s => s.Length).ToArray(), NoiseSeed(_spec.Seed, _settings.WorkerId));
        Sender.Tell(new WorkerReady(_spec.RunId, _settings.WorkerId));
        _log.Info("Worker {0} joined run {1} ({2} on {3}, device {4}).", _settings.WorkerId, _spec.RunId, _spec.Model, _spec.Dataset, _settings.Device);
    }

    private void OnOrder(StepOrder order)
    {
        if (_spec is null || _replica is null || order.RunId != _spec.RunId)
        {
            StartRegistering(); // an order from a run we have not been welcomed to: ask for the welcome first
            return;
        }
        Timers.Cancel("register");
        // The parameter server is silent between steps only while it evaluates; a long silence means it is gone.
        Context.SetReceiveTimeout(TimeSpan.FromTicks(_settings.RegisterInterval.Ticks * 10));
        if (!order.ShardMembers.SequenceEqual(_members) || order.WorkerBatchSize != _batchSize)
        {
            _members = order.ShardMembers;
            _batchSize = order.WorkerBatchSize;
            var shard = Sharding.Assign(_trainSamples, _members, (ulong)_spec.Seed)[_settings.WorkerId];
            _replica.Assign(shard, _batchSize);
        }
        _replica.LoadWeights(order.Weights.Values);
        var local = _spec.Mode == "local-sgd";
        ReplicaUpdate result;
        try
        {
            result = local
                ? _replica.LocalSteps(_spec.Period.StepsAt(order.Version), Optimizers.Create(_spec.Optimizer, _spec.LearningRate, _spec.Momentum))
                : _replica.Gradient(_updates?.Next(), withInputs: _spec.RecordInputs && _spec.Split is null);
        }
        catch (NonFiniteValueException e)
        {
            // The server decides: one bad batch is retried, a diverged run is ended for every worker.
            _log.Warning("Worker {0}: version {1} failed: {2}", _settings.WorkerId, order.Version, e.Message);
            Sender.Tell(new StepFailed(_spec.RunId, order.Version, _settings.WorkerId, e.Message));
            return;
        }
        var (values, compressed) = _transforms?.Apply(result.Values) ?? (result.Values, null);
        var tensors = TensorSet.FromLayout(_replica.Layout, compressed is null ? values : []);
        var update = new WorkerUpdate(_spec.RunId, order.Version, _settings.WorkerId, result.Samples, result.Loss,
            local ? UpdateKind.WeightDelta : UpdateKind.Gradient, tensors, _spec.RecordLabels ? result.Labels : null, compressed, result.Inputs);
        _transport.Send(Sender, update, Self);
    }

    /// <summary>The worker's noise seed: the run's seed mixed with its id (FNV-1a), so workers draw independent noise
    /// and a seeded run reproduces.</summary>
    private static int NoiseSeed(long runSeed, string workerId)
    {
        var hash = 14695981039346656037UL ^ (ulong)runSeed;
        foreach (var c in workerId) hash = (hash ^ c) * 1099511628211UL;
        return (int)(hash ^ (hash >> 32));
    }

    private void OnFinished(RunFinished finished)
    {
        if (finished.Failure is { } failure)
        {
            _log.Error("Worker {0}: run {1} failed at version {2}: {3}", _settings.WorkerId, finished.RunId, finished.FinalVersion, failure);
            _settings.OnFailed?.Invoke(new NonFiniteValueException($"Run {finished.RunId} failed: {failure}"));
            Context.Stop(Self);
            return;
        }
        _log.Info("Worker {0}: run {1} finished at version {2}.", _settings.WorkerId, finished.RunId, finished.FinalVersion);
        _settings.OnFinished?.Invoke(_settings.WorkerId);
        Context.Stop(Self);
    }

    private sealed class Register
    {
        public static readonly Register Instance = new();
    }
}
