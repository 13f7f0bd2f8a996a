using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.UpdateStream;
using Akka.Actor;
using Akka.Event;
using ActorTrain.Tensors.Devices;

namespace ActorTrain.Actors.Tap;

/// <summary>
/// Role tap: learns the current run from the parameter server (through its proxy), then subscribes to the run's
/// worker updates through a <see cref="BoundedSubscriber"/> whose consumer is a <see cref="LabelRevealer"/> (or, with
/// <see cref="TapSettings.Attack"/> "invert", a <see cref="GradientInverter"/> fed the weights behind each update; on a
/// split run an <see cref="ActivationInverter"/>). The
/// subscriber never waits for the attack, so the tap never slows training: when the attack falls behind, the oldest
/// waiting updates are dropped and counted (the gradient inverter instead pulls one update at a time, the newest when
/// it is free, and the server counts the others out without copying them). Answers <see cref="GetTapReport"/> with the subscriber's and the
/// revealer's counts together.
/// </summary>
public sealed class TapActor : ReceiveActor, IWithTimers
{
    private readonly IActorRef _parameterServer;
    private readonly TapSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private RunSpec? _spec;
    private bool _runFinished;
    private IActorRef _subscriber = ActorRefs.Nobody;
    private LoweredThread? _inverterThread; // the gradient inverter's thread: background priority while training runs
    private TapReport? _lastConsumerReport;

    /// <param name="spec">The run, when the host knows it; null: ask the parameter server.</param>
    public TapActor(IActorRef parameterServer, TapSettings settings, RunSpec? spec)
    {
        _parameterServer = parameterServer;
        _settings = settings;
        Receive<RunSpec>(Start);
        Receive<AskForRun>(_ => _parameterServer.Tell(GetRunSpec.Instance));
        Receive<GetTapReport>(_ => ReportTo(Sender));
        Receive<ConsumerReported>(r => _lastConsumerReport = r.Report ?? _lastConsumerReport);
        Receive<RunFinished>(f =>
        {
            if (!_runFinished) _log.Info("Run {0} finished at version {1}; the tap attacks what it still holds.", f.RunId, f.FinalVersion);
            // Training no longer needs the cores: what is left must not starve behind other programs.
            if (!_runFinished && _inverterThread?.Restore() == true) _log.Info("The gradient inversion thread is back at normal priority.");
            _runFinished = true;
        });
        Receive<Terminated>(_ => Context.Stop(Self));
        if (spec is not null) Self.Tell(spec);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef parameterServer, TapSettings settings, RunSpec? spec = null) =>
        Akka.Actor.Props.Create(() => new TapActor(parameterServer, settings, spec));

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("ask-run", AskForRun.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(2));

    private void Start(RunSpec spec)
    {
        Timers.Cancel("ask-run");
        if (_spec is not null)
        {
            if (spec.RunId != _spec.RunId) _log.Warning("Tap of run {0} ignores run {1}: a tap follows one run; start another for it.", _spec.RunId, spec.RunId);
            return;
        }
        _spec = spec;
        // Data-parallel runs publish worker updates (label revelation, or gradient inversion with the weights behind each);
        // split runs, activations and client weights (inversion).
        var invertUpdates = spec.Split is null && _settings.Attack == "invert";
        var consumer = spec.Split is not null ? ActivationInverter.Props(spec, _settings)
            : invertUpdates ? GradientInverter.Props(spec, _settings, thread: _inverterThread = new LoweredThread())
            : LabelRevealer.Props(spec, _settings);
        // Label revelation reads only the projection layer: the server sends just that part of each update.
        string[]? tensors = spec.Split is null && !invertUpdates ? [$"{_settings.ProjectionLayer}.weight", $"{_settings.ProjectionLayer}.bias"] : null;
        _subscriber = Context.Watch(Context.ActorOf(
            BoundedSubscriber.ForRun(spec.RunId, _parameterServer, consumer, _settings.Capacity, updatesOnly: true, withWeights: invertUpdates, tensors), "updates"));
        // Its first totals while it is still idle: a later report can fall back on them while it is busy.
        _subscriber.Ask<TapReport>(new ToConsumer(GetTapReport.Instance), TimeSpan.FromSeconds(30))
            .PipeTo(Self, success: r => new ConsumerReported(r), failure: _ => new ConsumerReported(null));
        var attack = spec.Split is not null ? $"split at {spec.Split.Cut}, inversion"
            : invertUpdates ? $"{spec.Mode} mode, gradient inversion" : $"{spec.Mode} mode, label revelation";
        _log.Info("Tap attached to run {0} ({1}{2}).", spec.RunId, attack, spec.RecordLabels || spec.RecordInputs ? ", scoring against the recorded truth" : "");
    }

    private void ReportTo(IActorRef asker)
    {
        if (_spec is null)
        {
            asker.Tell(new TapReport(null, 0, 0, 0, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN));
            return;
        }
        var timeout = TimeSpan.FromSeconds(10);
        var finished = _runFinished;
        var cached = _lastConsumerReport;
        var self = Self;
        var stats = _subscriber.Ask<SubscriberStats>(GetSubscriberStats.Instance, timeout);
        var revealer = _subscriber.Ask<TapReport>(new ToConsumer(GetTapReport.Instance), timeout);
        Task.WhenAll(stats, revealer).ContinueWith(_ =>
        {
            // A consumer in the middle of a long attack (an inversion can take longer than the timeout) answers late:
            // report its totals as they were, not a failure; the update in hand keeps the report from counting as drained.
            var consumer = revealer.IsCompletedSuccessfully ? revealer.Result : cached;
            if (stats.IsFaulted || consumer is null) return (object)new Status.Failure(stats.Exception ?? revealer.Exception!);
            if (revealer.IsCompletedSuccessfully) self.Tell(new ConsumerReported(revealer.Result));
            var s = stats.Result;
            return consumer with { UpdatesSeen = s.Received, Dropped = s.Dropped, Queued = s.Queued, RunFinished = finished };
        }, TaskScheduler.Default).PipeTo(asker);
    }

    /// <summary>The consumer's last answer to <see cref="GetTapReport"/>.</summary>
    private sealed record ConsumerReported(TapReport? Report);

    private sealed class AskForRun
    {
        public static readonly AskForRun Instance = new();
    }
}
