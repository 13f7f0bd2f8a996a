using ActorTrain.Tensors.Training;
using Akka.Event;
using Akka.Persistence;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>Recovery from the journal and snapshots: the same <see cref="ApplyStep"/> serves live steps and replay.</summary>
public sealed partial class ParameterServerActor
{
    /// <summary>Applies a committed step to the weights and counters (live, or replayed during recovery).</summary>
    private void ApplyStep(StepCommitted step)
    {
        if (step.Step != _version + 1)
            throw new InvalidOperationException(
                $"Journal of run {_setup.Spec.RunId} is inconsistent: step {step.Step} follows version {_version}. Refusing to start rather than guess.");
        if (step.Aggregate.Length != _store.Layout.TotalLength)
            throw new InvalidOperationException(
                $"Journal of run {_setup.Spec.RunId}: step {step.Step} holds {step.Aggregate.Length} values but the model has {_store.Layout.TotalLength}: was the run started with another model?");
        if (step.Kind == Protocol.UpdateKind.WeightDelta) _store.AddDelta(step.Aggregate);
        else _store.ApplyGradient(step.Aggregate);
        _version = step.Step;
        _samples += step.Samples;
        _maxWorkers = Math.Max(_maxWorkers, step.Workers.Length);
        _losses.Add(new CurvePoint((int)_version, step.Loss));
    }

    private ServerSnapshot TakeSnapshot()
    {
        var optimizer = _store.OptimizerState();
        return new ServerSnapshot(_version, _samples, _store.Weights(), optimizer.Steps, optimizer.Buffers);
    }

    private void RestoreSnapshot(ServerSnapshot snapshot)
    {
        if (snapshot.Weights.Length != _store.Layout.TotalLength)
            throw new InvalidOperationException(
                $"Snapshot of run {_setup.Spec.RunId} at version {snapshot.Version} holds {snapshot.Weights.Length} weights but the model has {_store.Layout.TotalLength}.");
        _store.SetWeights(snapshot.Weights);
        _store.RestoreOptimizer(new OptimizerState(snapshot.OptimizerSteps, snapshot.OptimizerBuffers));
        _version = snapshot.Version;
        _samples = snapshot.Samples;
    }

    private void Recovered()
    {
        _weights = _store.Weights();
        if (_version > 0)
            _log.Warning("Parameter server for run {0} recovered at version {1} ({2} samples) from its journal; waiting for workers.",
                _setup.Spec.RunId, _version, _samples);
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
