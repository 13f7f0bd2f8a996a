using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Recording;
using ActorTrain.Tensors.Training;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// Recovery from the journal and snapshots: the same <see cref="ApplyStep"/> serves live steps and replay.
/// Two kinds of journal trouble are told apart. The database failing (unreachable, full) stops the server, and its
/// <see cref="RestartBackoff"/> supervisor starts it again until recovery succeeds. Data that cannot be used (an
/// undecodable or out-of-sequence event) makes it refuse to start, once, through <see cref="ParameterServerSetup.OnFailed"/>.
/// </summary>
public sealed partial class ParameterServerActor
{
    private CorruptJournalException? _refusal;

    /// <summary>Applies a committed step to the weights and counters (live, or replayed during recovery).</summary>
    private void ApplyStep(StepCommitted step)
    {
        if (StepProblem(step) is { } problem) throw new InvalidOperationException($"Run {_setup.Spec.RunId}: {problem}.");
        if (step.Kind == Protocol.UpdateKind.WeightDelta) _store.AddDelta(step.Aggregate);
        else _store.ApplyGradient(step.Aggregate);
        _version = step.Step;
        _samples += step.Samples;
        _maxWorkers = Math.Max(_maxWorkers, step.Workers.Length);
        _losses.Add(new CurvePoint((int)_version, step.Loss));
    }

    private string? StepProblem(StepCommitted step)
    {
        if (step.Step != _version + 1) return $"step {step.Step} follows version {_version}";
        if (step.Aggregate.Length != _store.Layout.TotalLength)
            return $"step {step.Step} holds {step.Aggregate.Length} values but the model has {_store.Layout.TotalLength}: was the run started with another model?";
        return null;
    }

    private ServerSnapshot TakeSnapshot()
    {
        var optimizer = _store.OptimizerState();
        return new ServerSnapshot(_version, _samples, _store.Weights(), optimizer.Steps, optimizer.Buffers);
    }

    private void RecoverSnapshot(SnapshotOffer offer)
    {
        switch (offer.Snapshot)
        {
            case ServerSnapshot snapshot when snapshot.Weights.Length != _store.Layout.TotalLength:
                Refuse(offer.Metadata.SequenceNr, $"the snapshot at version {snapshot.Version} holds {snapshot.Weights.Length} weights but the model has {_store.Layout.TotalLength}");
                break;
            case ServerSnapshot snapshot:
                _store.SetWeights(snapshot.Weights);
                _store.RestoreOptimizer(new OptimizerState(snapshot.OptimizerSteps, snapshot.OptimizerBuffers));
                _version = snapshot.Version;
                _samples = snapshot.Samples;
                break;
            case UndecodableEvent bad:
                Refuse(offer.Metadata.SequenceNr, $"the snapshot cannot be decoded ({bad.Length} bytes): {bad.Reason}");
                break;
            default:
                Refuse(offer.Metadata.SequenceNr, $"the snapshot is a {offer.Snapshot.GetType().Name}, not a parameter-server snapshot");
                break;
        }
    }

    private void RecoverStep(StepCommitted step)
    {
        if (_refusal is not null) return; // nothing after a bad event can be applied
        if (StepProblem(step) is { } problem) Refuse(LastSequenceNr, problem);
        else ApplyStep(step);
    }

    private void RecoverUndecodable(UndecodableEvent bad)
    {
        if (_refusal is null) Refuse(LastSequenceNr, $"the '{bad.Manifest}' event cannot be decoded ({bad.Length} bytes): {bad.Reason}");
    }

    /// <summary>Notes the first unusable event; recovery runs to its end and <see cref="Recovered"/> refuses.</summary>
    private void Refuse(long sequenceNr, string problem)
    {
        _refusal ??= new CorruptJournalException(PersistenceId, sequenceNr,
            $"The journal of run {_setup.Spec.RunId} ({JournalConfig.Describe(Context.System.Settings.Config)}, persistence id {PersistenceId}) " +
            $"cannot be used at sequence number {sequenceNr}: {problem.TrimEnd('.')}. The parameter server refuses to start rather than drop or guess state.");
    }

    private void Recovered()
    {
        if (_refusal is not null)
        {
            _log.Error("{0}", _refusal.Message);
            Become(() => CommandAny(_ => { })); // stays up, so its supervisor does not restart it into the same refusal
            _setup.OnFailed?.Invoke(_refusal);
            return;
        }
        _weights = _store.Weights();
        if (_version > 0)
            _log.Warning("Parameter server for run {0} recovered at version {1} ({2} samples) from its journal; waiting for workers.",
                _setup.Spec.RunId, _version, _samples);
    }

    /// <summary>The database failed a write: Akka.Persistence stops this actor next, and the supervisor restarts it.</summary>
    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        var step = @event is StepCommitted committed ? $"step {committed.Step}" : @event.GetType().Name;
        _log.Error(cause, "{0}",
            $"Parameter server for run {_setup.Spec.RunId}: the journal ({JournalConfig.Describe(Context.System.Settings.Config)}) is unreachable or failing: " +
            $"could not journal {step} (sequence number {sequenceNr}): {cause.Message}. The step is not applied; the server stops accepting updates and " +
            $"restarts with backoff ({RestartBackoff.From(Context.System.Settings.Config)}), resuming from the last committed version {_version} once the journal answers.");
    }

    /// <summary>
    /// Recovery failed outside the event handlers: the database did not answer (retry), or the journal plugin could
    /// not read a row at all (data: refuse, as for an undecodable event).
    /// </summary>
    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        var journal = JournalConfig.Describe(Context.System.Settings.Config);
        if (IsDataError(reason))
        {
            Refuse(LastSequenceNr + 1, $"the journal plugin cannot read it: {reason.Message}");
            _log.Error(reason, "{0}", _refusal!.Message);
            _setup.OnFailed?.Invoke(_refusal);
            return;
        }
        _log.Error(reason,
            "Parameter server for run {0} cannot recover: the journal ({1}) is unreachable or failing: {2}. Retrying with backoff ({3}); nothing committed is lost.",
            _setup.Spec.RunId, journal, reason.Message, RestartBackoff.From(Context.System.Settings.Config));
    }

    private static bool IsDataError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is System.Runtime.Serialization.SerializationException) return true;
        return false;
    }

    /// <summary>
    /// Steps up to a snapshot are no longer needed for recovery: prune them (all but the last, so the stream stays
    /// listed by persistence-id queries) and older snapshots.
    /// </summary>
    private void OnSnapshotSaved(SaveSnapshotSuccess saved)
    {
        DeleteMessages(saved.Metadata.SequenceNr - 1);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
    }
}
