using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Actors.Recording;

/// <summary>
/// Appends what it is told (captured updates and weights, or labels and inputs) to its own journal stream, without holding up its sender:
/// writes are asynchronous and batched by the journal. Recordings are kept for replay; the parameter server's
/// own stream is pruned at snapshots. The parameter server runs each recorder under a backoff supervisor: a failed
/// write stops the recorder, not the run, and messages told to it while it is down are lost (dead letters).
/// </summary>
public sealed class UpdateRecorder : ReceivePersistentActor
{
    private readonly string _persistenceId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _recorded;

    /// <param name="header">Written first when the stream is new (e.g. <see cref="RecordingStarted"/>); null for none.</param>
    public UpdateRecorder(string persistenceId, object? header = null)
    {
        _persistenceId = persistenceId;
        Recover<RecoveryCompleted>(_ =>
        {
            if (_recorded == 0 && header is not null) PersistAsync(header, _ => _recorded++);
        });
        Recover<object>(_ => _recorded++);
        Command<UpdateCaptured>(e => PersistAsync(e, _ => _recorded++));
        Command<LabelsRecorded>(e => PersistAsync(e, _ => _recorded++));
        Command<WeightsCaptured>(e => PersistAsync(e, _ => _recorded++));
        Command<InputsRecorded>(e => PersistAsync(e, _ => _recorded++));
    }

    public override string PersistenceId => _persistenceId;

    public static Props Props(string persistenceId, object? header = null) =>
        Akka.Actor.Props.Create(() => new UpdateRecorder(persistenceId, header));

    /// <summary>The journal failed a write: Akka.Persistence stops this recorder next, and its supervisor restarts it with backoff.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause,
            "Recording {0}: the journal is unreachable or failing: could not record {1} (sequence number {2}): {3}. " +
            "This recorder restarts with backoff; what the parameter server captures until then is not recorded (training goes on).",
            _persistenceId, Describe(@event), sequenceNr, cause.Message);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error(reason,
            "Recording {0} cannot start: the journal is unreachable or failing: {1}. Retrying with backoff; what is captured meanwhile is not recorded.",
            _persistenceId, reason.Message);
    }

    private static string Describe(object @event) => @event switch
    {
        UpdateCaptured c => $"the update of worker {c.WorkerId} for version {c.Version}",
        LabelsRecorded l => $"the labels of worker {l.WorkerId} for version {l.Version}",
        WeightsCaptured w => $"the weights of version {w.Version}",
        InputsRecorded i => $"the inputs of worker {i.WorkerId} for version {i.Version}",
        _ => @event.GetType().Name,
    };
}
