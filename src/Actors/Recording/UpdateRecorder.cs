using Akka.Actor;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Actors.Recording;

/// <summary>
/// Appends what it is told (captured updates or labels) to its own journal stream, without holding up its sender:
/// writes are asynchronous and batched by the journal. Recordings are kept for replay; the parameter server's
/// own stream is pruned at snapshots.
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
    }

    public override string PersistenceId => _persistenceId;

    public static Props Props(string persistenceId, object? header = null) =>
        Akka.Actor.Props.Create(() => new UpdateRecorder(persistenceId, header));

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Recording {0} could not be written at {1}: {2}", _persistenceId, sequenceNr, cause.Message);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
