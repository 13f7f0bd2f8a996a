using System.Diagnostics;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Security;
using ActorTrain.Actors.Transport;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// The parameter server: holds the weights, validates and aggregates worker updates by the run's mode
/// (<see cref="AggregationMode"/>), publishes accepted updates and applied steps on the update stream, and
/// tracks membership (registration, death watch, reachability). Runs as a cluster singleton on role "ps".
/// In a cluster with a secret it serves (registers, subscribes, tells the run spec to) only actors on members that
/// proved the secret to this node (<see cref="ClusterAuthentication"/>); the others are ignored, so they get no weights.
/// A bad update is rejected with its reason and counted; it never touches the weights.
/// When persistent, every committed step is journaled before it is released and the weights and optimizer state
/// are snapshotted, so a server that dies is recovered by its successor without losing or repeating a step.
/// Hosts run it under a <see cref="RestartBackoff"/> supervisor: when the journal fails, it stops, and is started
/// again until it can recover.
/// </summary>
public sealed partial class ParameterServerActor : ReceivePersistentActor, IWithTimers
{
    private readonly ParameterServerSetup _setup;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly WorkerRoster _roster = new();
    private readonly Dictionary<string, long> _rejectedByReason = new(StringComparer.Ordinal);
    private readonly Dictionary<IActorRef, WorkerUpdate> _pending = new();
    private readonly UpdateStream.StreamSubscribers _updateSubscribers;
    private readonly HashSet<IActorRef> _expected = new();
    private readonly Security.SecretGate _gate;
    private readonly List<CurvePoint> _losses = [];
    private readonly List<CurvePoint> _accuracies = [];
    private readonly Stopwatch _training = new();
    private readonly IActorRef _mediator;
    private readonly TensorTransport _transport;
    private readonly string _topic;
    private readonly ParameterStore _store;
    private readonly UpdateValidator _validator;
    private readonly StepLog _stepLog;
    private readonly int[] _segments;
    private readonly CapturePolicy _capture;
    private readonly IReadOnlyList<ParameterSlot> _captureSlots;
    private readonly IActorRef? _updateRecorder;
    private readonly IActorRef? _labelRecorder;
    private float[] _weights = [];
    private float[]? _sum;
    private BufferRing? _weightBuffers;
    private long _version;
    private readonly RecentWeights _recentWeights;
    private long _weightsCaptured = -1; // the version whose weights were recorded last (replay pairs each update with the weights before it)
    private long _samples;
    private long _rejected;
    private long _stepBytes;
    private long _updateBytes;
    private long _denseBytes;
    private int _maxWorkers;
    private bool _started;
    private bool _finished;
    private readonly DivergenceWatch _divergence = new();

    public ParameterServerActor(ParameterServerSetup setup)
    {
        _setup = setup;
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        _transport = TensorTransport.For(Context.System);
        _gate = new Security.SecretGate(Context.System, _log);
        _topic = UpdateTopics.For(setup.Spec.RunId);
        _updateSubscribers = new UpdateStream.StreamSubscribers(setup.Spec.RunId, "updates", "parameter server");
        if (_setup.Threads > 0) TorchSharp.torch.set_num_threads(_setup.Threads); // per-thread setting, this actor's thread
        _store = _setup.CreateStore();
        _segments = _store.Layout.Slots.Select(s => s.Length).ToArray();
        var kind = _setup.Mode == AggregationMode.LocalSgd ? UpdateKind.WeightDelta : UpdateKind.Gradient;
        _validator = new UpdateValidator(_setup.Spec.RunId, _store.Layout, kind, _setup.MaxUpdateBytes);
        _stepLog = new StepLog(_setup.StepLogPath);
        _capture = _setup.Capture ?? new CapturePolicy();
        _captureSlots = _setup.Persistent ? _capture.Select(_store.Layout, _store.ProjectionLayer) : [];
        // Each recorder under a backoff supervisor of its own: a failed write stops it, not the run.
        var backoff = _setup.Persistent ? RestartBackoff.From(Context.System.Settings.Config) : null;
        if (backoff is not null && _captureSlots.Count > 0)
            _updateRecorder = Context.ActorOf(backoff.Supervise(Recording.UpdateRecorder.Props(Recording.RecordingStreams.Updates(_setup.Spec.RunId),
                new Recording.RecordingStarted(_setup.Spec)), "recorder"), "updates");
        if (backoff is not null && (_setup.Spec.RecordLabels || _setup.Spec.RecordInputs))
            _labelRecorder = Context.ActorOf(backoff.Supervise(Recording.UpdateRecorder.Props(Recording.RecordingStreams.Labels(_setup.Spec.RunId)), "recorder"), "labels");
        // sync and local-sgd: every worker that read version v has reported before v+1 exists; stragglers that still
        // hold an order three versions old compute on a mixture and are rejected as stale anyway.
        if (_setup.Mode != AggregationMode.Async) _weightBuffers = new BufferRing(_store.Layout.TotalLength, 3);
        _recentWeights = new RecentWeights(_setup.Mode == AggregationMode.Async ? _setup.MaxStaleness + 1 : 1);

        Recover<SnapshotOffer>(RecoverSnapshot);
        Recover<StepCommitted>(RecoverStep);
        Recover<Recording.UndecodableEvent>(RecoverUndecodable);
        Recover<RecoveryCompleted>(_ => Recovered());
        Command<SaveSnapshotSuccess>(OnSnapshotSaved);
        Command<SaveSnapshotFailure>(f => _log.Error(f.Cause, "Snapshot at step {0} failed; the journal still holds every step.", f.Metadata.SequenceNr));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Could not prune journaled steps before {0}: {1}", f.ToSequenceNr, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Could not prune old snapshots: {0}", f.Cause.Message));

        Command<RegisterWorker>(r => { if (Admitted()) Register(r); });
        Command<WorkerReady>(OnReady);
        Command<WorkerUpdate>(OnUpdate);
        Command<StepFailed>(OnStepFailed);
        Command<StragglerCheck>(OnStragglerCheck);
        Command<SubscribeUpdates>(s => { if (Admitted()) _updateSubscribers.Subscribe(s, Sender, Context, _log, _finished ? _version : null); });
        Command<UpdateDemand>(d => _updateSubscribers.Demand(Sender, d));
        Command<GetRunSpec>(_ => { if (Admitted()) Sender.Tell(_setup.Spec); });
        Command<GetServerStatus>(_ => Sender.Tell(new ServerStatus(_setup.Spec.RunId, _version, _roster.Count, _roster.Active.Count,
            _updateSubscribers.Count, _rejected, _finished)));
        Command<Terminated>(t =>
        {
            if (_updateSubscribers.Remove(t.ActorRef)) return;
            Forget(t.ActorRef, "stopped");
        });
        Command<ClusterEvent.UnreachableMember>(e => SetReachable(e.Member.Address, reachable: false));
        Command<ClusterEvent.ReachableMember>(e => SetReachable(e.Member.Address, reachable: true));
        Command<ClusterEvent.MemberRemoved>(e => { foreach (var w in _roster.At(e.Member.Address)) Forget(w.Actor, "its node left the cluster"); });
        Command<ClusterEvent.IMemberEvent>(_ => { });
        Command<ClusterEvent.CurrentClusterState>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(ParameterServerSetup setup) => Akka.Actor.Props.Create(() => new ParameterServerActor(setup));

    public override string PersistenceId => _setup.PersistenceId;

    private int WorkerBatchSize(int workers) => Math.Max(1, (_setup.Spec.GlobalBatchSize + workers - 1) / workers);

    private long SampleBudget => (long)_setup.Epochs * _setup.TrainSamples;

    protected override void PreStart()
    {
        _weights = _store.Weights();
        if (Context.System.HasExtension<Cluster>() || Context.System.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal))
            Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents,
                typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));
        _log.Info("Parameter server for run {0} ({1}, {2} parameters) waiting for {3} worker(s).",
            _setup.Spec.RunId, _setup.Mode.Name(), _store.Layout.TotalLength, _setup.MinWorkers);
    }

    /// <summary>An exception escaped a handler: say which, where, and on what, before the actor is restarted.</summary>
    protected override void PreRestart(Exception reason, object message)
    {
        _log.Error(reason, "Parameter server for run {0} failed at version {1} handling {2}: {3}",
            _setup.Spec.RunId, _version, message?.GetType().Name ?? "nothing", reason.Message);
        base.PreRestart(reason, message);
    }

    /// <summary>
    /// Restarted after a failure. With a journal it recovers from it; without one a restart would silently begin the
    /// run again at version 0, so the run fails instead, with the reason, and workers that ask are told it is over.
    /// </summary>
    protected override void PostRestart(Exception reason)
    {
        base.PostRestart(reason);
        if (_setup.Persistent) return;
        _finished = true;
        _setup.OnFailed?.Invoke(new InvalidOperationException(
            $"The parameter server of run {_setup.Spec.RunId} failed ({reason.GetType().Name}: {reason.Message}) and has no journal to resume from; start the run with --journal to survive this.", reason));
        // Stay, finished: stopping would let the backoff supervisor start a fresh server at version 0.
    }

    protected override void PostStop()
    {
        if (Context.System.Settings.ProviderClass.Contains("Cluster", StringComparison.Ordinal))
            Cluster.Get(Context.System).Unsubscribe(Self);
        _stepLog.Dispose();
        _store.Dispose();
    }

    private void Register(RegisterWorker register) =>
        _roster.Register(register, Sender, _setup.Spec, _finished ? _version : null, Context, _log, "worker");

    private void OnReady(WorkerReady ready)
    {
        var entry = _roster.ReadyFor(ready, Sender, _setup.Spec.RunId, _log, "worker", "parameter server");
        if (_finished || entry is null) return;
        if (!entry.Ready) _log.Info("Worker {0} is ready; {1} of {2} registered workers ready.", entry.Id, _roster.ReadyCount + 1, _roster.Count);
        entry.Ready = true;
        if (!_started)
        {
            if (_roster.ReadyCount >= _setup.MinWorkers) StartTraining();
        }
        else if (_setup.Mode == AggregationMode.Async)
        {
            // A newcomer starts at once. A known worker reports ready again only when it has had no order for a
            // while; a report that crossed an order must not start a second chain of work for it.
            if (DateTime.UtcNow - entry.LastOrderAt > _setup.StragglerTimeout) SendOrder(entry, _roster.Active);
        }
        else if (_expected.Count == 0)
        {
            Release(); // sync and local-sgd: a newcomer waits for the next step unless none is waiting
        }
    }

    /// <summary>Whether the sender's node proved the cluster secret (always, without one); logs a refused node once.</summary>
    private bool Admitted() => _gate.Admits(Sender);

    private void Forget(IActorRef worker, string why)
    {
        var entry = _roster.Find(worker);
        if (entry is null || !_roster.Remove(worker)) return;
        Context.Unwatch(worker);
        if (_finished) return;
        _log.Warning("Worker {0} dropped ({1}); {2} remain.", entry.Id, why, _roster.Count);
        _expected.Remove(worker);
        _pending.Remove(worker);
        TryCommit();
    }

    private void SetReachable(Address address, bool reachable)
    {
        foreach (var worker in _roster.At(address))
        {
            if (worker.Suspended == !reachable) continue;
            worker.Suspended = !reachable;
            _log.Warning("Worker {0} {1}.", worker.Id, reachable ? "is reachable again" : "is unreachable: dropped from the barrier");
            if (!reachable) _expected.Remove(worker.Actor);
        }
        if (!reachable) TryCommit();
    }

    private void Reject(WorkerUpdate update, string reason)
    {
        CountRejection(update.WorkerId, update.Version, reason);
        Sender.Tell(new UpdateRejected(update.RunId, update.Version, update.WorkerId, reason));
    }

    private void CountRejection(string workerId, long version, string reason)
    {
        _rejected++;
        var category = UpdateValidator.Category(reason);
        _rejectedByReason[category] = _rejectedByReason.GetValueOrDefault(category) + 1;
        _log.Warning("Rejected update from worker {0} for version {1}: {2}.", workerId, version, reason.TrimEnd('.'));
    }

    private sealed record StragglerCheck(long Version);
}
