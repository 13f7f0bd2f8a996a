using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace ActorTrain.Actors.ParameterServer;

public sealed partial class ParameterServerActor
{
    private void StartTraining()
    {
        _started = true;
        _training.Start();
        _log.Info("Run {0}: starting with {1} worker(s).", _setup.Spec.RunId, _roster.Count);
        if (_setup.Mode == AggregationMode.Async)
            foreach (var worker in _roster.Active) SendOrder(worker, _roster.Active);
        else
            Release();
    }

    /// <summary>sync and local-sgd: send version v to every active worker and wait for all of them.</summary>
    private void Release()
    {
        _pending.Clear();
        _stepBytes = 0; // a step released again (a failed worker step) logs only the updates it aggregates
        _expected.Clear();
        var active = _roster.Active;
        if (active.Count == 0)
        {
            _log.Warning("Run {0}: no live workers; waiting for one to register.", _setup.Spec.RunId);
            return;
        }
        // Every worker of the step gets the same order: one upload per node, shared by the workers there.
        var order = Order(active);
        foreach (var worker in active)
        {
            _expected.Add(worker.Actor);
            worker.LastOrderAt = DateTime.UtcNow;
        }
        _transport.SendToAll(active.Select(w => w.Actor).ToArray(), order, Self);
        Timers.StartSingleTimer("straggler", new StragglerCheck(_version), _setup.StragglerTimeout);
    }

    private void SendOrder(RosterEntry worker, IReadOnlyList<RosterEntry> members)
    {
        worker.LastOrderAt = DateTime.UtcNow;
        _transport.Send(worker.Actor, Order(members), Self);
    }

    private StepOrder Order(IReadOnlyList<RosterEntry> members) => new(_setup.Spec.RunId, _version, WorkerBatchSize(members.Count),
        members.Select(m => m.Id).ToArray(), TensorSet.FromLayout(_store.Layout, _weights));

    private void OnUpdate(WorkerUpdate update)
    {
        if (_finished) return;
        var worker = _roster.Find(Sender);
        if (worker is null || worker.Id != update.WorkerId)
        {
            Reject(update, $"unknown worker '{update.WorkerId}' (not registered from {Sender.Path.Address})");
            return;
        }
        var wireBytes = update.ValueBytes;
        if (update.Compressed is not null)
        {
            if (Unpack(update) is not { } unpacked)
            {
                if (_setup.Mode == AggregationMode.Async) SendOrder(worker, _roster.Active);
                return;
            }
            update = unpacked;
        }
        var problem = _validator.Problem(update) ?? VersionProblem(update);
        if (problem is not null)
        {
            Reject(update, problem);
            if (UpdateValidator.IsNonFinite(problem)) OnNonFinite(worker, update.Version, problem);
            else if (_setup.Mode == AggregationMode.Async) SendOrder(worker, _roster.Active); // the worker refreshes its weights
            return;
        }
        _divergence.Accepted();
        if (worker.Suspended)
        {
            worker.Suspended = false;
            _log.Info("Worker {0} reported again and is back in the barrier.", worker.Id);
        }
        _stepBytes += wireBytes;
        _updateBytes += wireBytes;
        _denseBytes += 4L * _store.Layout.TotalLength;
        Publish(update);

        if (_setup.Mode == AggregationMode.Async)
        {
            var step = new StepCommitted(_version + 1, [update.WorkerId], update.BatchSize, update.Loss, UpdateKind.Gradient, update.Tensors.Values);
            Commit(step, () => { if (!_finished) SendOrder(worker, _roster.Active); });
            return;
        }
        _pending[Sender] = update;
        _expected.Add(Sender);
        TryCommit();
    }

    /// <summary>
    /// A compressed update decoded to the dense values every later stage (validation, aggregation, the tap, the
    /// journal) sees; null, after rejecting it, when the payload is oversized or does not decode.
    /// </summary>
    private WorkerUpdate? Unpack(WorkerUpdate update)
    {
        var packed = update.Compressed!;
        if (packed.ByteCount > _setup.MaxUpdateBytes || 4L * packed.Length > _setup.MaxUpdateBytes)
        {
            Reject(update, $"oversized: {Math.Max(packed.ByteCount, 4L * packed.Length)} bytes exceeds the limit of {_setup.MaxUpdateBytes}");
            return null;
        }
        try
        {
            var values = Tensors.Compression.UpdateCodec.Decode(packed, _segments);
            return update with { Tensors = update.Tensors with { Values = values }, Compressed = null };
        }
        catch (InvalidDataException e)
        {
            Reject(update, $"undecodable {packed.Encoding} payload: {e.Message}");
            return null;
        }
    }

    private void OnStepFailed(StepFailed failed)
    {
        if (_finished) return;
        var worker = _roster.Find(Sender);
        if (worker is null || worker.Id != failed.WorkerId || failed.RunId != _setup.Spec.RunId || failed.Version > _version) return;
        CountRejection(failed.WorkerId, failed.Version, failed.Reason);
        OnNonFinite(worker, failed.Version, failed.Reason);
    }

    /// <summary>
    /// A worker's step came out NaN or infinite. The step is retried without it (sync: the others' updates still
    /// count; when none reported, the step is released again); when failures keep coming, the run has diverged.
    /// </summary>
    private void OnNonFinite(RosterEntry worker, long version, string reason)
    {
        if (_divergence.Record(worker.Id, version, reason, DivergenceWatch.LimitFor(_roster.Count)))
        {
            Fail(_divergence.Verdict!);
            return;
        }
        if (_setup.Mode == AggregationMode.Async)
        {
            SendOrder(worker, _roster.Active);
            return;
        }
        if (version != _version) return;
        _expected.Remove(worker.Actor);
        _pending.Remove(worker.Actor);
        if (_expected.Count == 0) Release();
        else TryCommit();
    }

    /// <summary>Ends the run as failed: workers are told why and stop; the run's owner gets the reason.</summary>
    private void Fail(string reason)
    {
        _finished = true;
        _training.Stop();
        Timers.CancelAll();
        _log.Error("Run {0} failed: {1}", _setup.Spec.RunId, reason);
        foreach (var entry in _roster.All) entry.Actor.Tell(new RunFinished(_setup.Spec.RunId, _version, reason));
        _updateSubscribers.TellFinished(_version);
        _setup.OnFailed?.Invoke(new NonFiniteValueException($"Run {_setup.Spec.RunId}: {reason}"));
    }

    /// <summary>Metadata on the topic for everyone; the tensors to explicit subscribers, chunked where remote.</summary>
    private void Publish(WorkerUpdate update)
    {
        _mediator.Tell(new Publish(_topic, new UpdateAccepted(update.RunId, update.Version, update.WorkerId, update.BatchSize,
            update.Loss, update.Tensors.Names)));
        if (_updateRecorder is not null && _capture.Capture(update, _captureSlots) is { } captured)
        {
            if (_capture.Weights) CaptureWeights(update.Version);
            _updateRecorder.Tell(captured);
        }
        if (_labelRecorder is not null && update.Labels is { } labels)
            _labelRecorder.Tell(new Recording.LabelsRecorded(update.RunId, update.Version, update.WorkerId, labels));
        if (_labelRecorder is not null && update.Inputs is { } inputs)
            _labelRecorder.Tell(new Recording.InputsRecorded(update.RunId, update.Version, update.WorkerId, inputs));
        if (_updateSubscribers.Count == 0) return;
        // Workers reuse their update buffers behind the barrier; a subscriber may hold a message much longer.
        TensorSet? tensors = null;
        WorkerUpdate? plain = null, weighted = null;
        foreach (var subscriber in _updateSubscribers.All)
        {
            if (_updateSubscribers.TensorsWanted(subscriber) is { } only && !_updateSubscribers.WantsWeights(subscriber))
            {
                // Label revelation reads the projection layer alone: a few KB instead of a copy of the whole update.
                _transport.Send(subscriber, update with { Tensors = update.Tensors.Only(only), Inputs = null }, Self);
            }
            else if (!_updateSubscribers.WantsWeights(subscriber))
            {
                // The raw inputs are evaluation data: never handed to an attack-facing subscriber (label revelation, …).
                plain ??= update with { Tensors = tensors ??= Copy(update.Tensors), Inputs = null };
                _transport.Send(subscriber, plain, Self);
            }
            else if (_updateSubscribers.TakeCredit(subscriber))
            {
                // Only subscribers that asked for weights (the online gradient inversion) get the inputs, to score their
                // reconstructions, exactly as a tap gets the true labels: never as the attack's input.
                weighted ??= update with { Tensors = tensors ??= Copy(update.Tensors), Weights = WeightsOf(update.Version) };
                _transport.Send(subscriber, weighted, Self);
            }
            else
            {
                // Copies of the model for a subscriber busy with an earlier update would only be dropped; allocating
                // them at every step slowed training threefold (docs/attacks.md).
                subscriber.Tell(new UpdateWithheld(update.RunId, update.Version, update.WorkerId), Self);
            }
        }
    }

    private static TensorSet Copy(TensorSet tensors) => tensors with { Values = (float[])tensors.Values.Clone() };

    /// <summary>Whether the weights of recent versions are kept: only while a subscriber or the recorder needs them.</summary>
    private bool KeepsWeights => _updateSubscribers.AnyWantWeights || (_updateRecorder is not null && _capture.Weights);

    /// <summary>
    /// The weights of <paramref name="version"/> (the ones its updates were computed on) as an array nobody changes
    /// again, or null when they are no longer kept (an async version beyond max-staleness, or one from before anyone
    /// asked). sync and local-sgd reuse their weight buffers (<see cref="BufferRing"/>), so the current version's are
    /// copied, once per version; async makes a fresh array per version and keeps the last few (<see cref="Committed"/>).
    /// </summary>
    private float[]? WeightsOf(long version)
    {
        if (_recentWeights.Find(version) is { } kept) return kept;
        if (version != _version) return null;
        return _recentWeights.Remember(version, _weightBuffers is null ? _weights : (float[])_weights.Clone());
    }

    /// <summary>
    /// Records the weights of <paramref name="version"/> before its captured update, unless they were the last weights
    /// recorded (the same recorder keeps the order; replay pairs each update with the weights recorded last before it).
    /// An async update whose version was superseded finds them among the recent versions (max-staleness + 1 kept).
    /// </summary>
    private void CaptureWeights(long version)
    {
        if (version == _weightsCaptured) return;
        var weights = version == _version ? _weights : _recentWeights.Find(version);
        if (weights is null)
        {
            _log.Warning("Run {0}: the weights of version {1} are no longer kept (now {2}); its captured update cannot be inverted offline.",
                _setup.Spec.RunId, version, _version);
            return;
        }
        _weightsCaptured = version;
        _updateRecorder!.Tell(_capture.CaptureWeights(_setup.Spec.RunId, version, _store.Layout, weights));
    }

    private string? VersionProblem(WorkerUpdate update)
    {
        if (update.Version > _version) return $"future version {update.Version} (current {_version})";
        if (_setup.Mode == AggregationMode.Async)
        {
            var lag = _version - update.Version;
            return lag > _setup.MaxStaleness ? $"stale by {lag} versions (bound {_setup.MaxStaleness})" : null;
        }
        if (update.Version < _version) return $"stale version {update.Version} (current {_version})";
        return _pending.ContainsKey(Sender) ? $"duplicate update for version {update.Version}" : null;
    }

    private void OnStragglerCheck(StragglerCheck check)
    {
        if (_finished || check.Version != _version || _setup.Mode == AggregationMode.Async) return;
        foreach (var silent in _expected.Where(w => !_pending.ContainsKey(w)).ToArray())
        {
            var entry = _roster.Find(silent);
            if (entry is not null) entry.Suspended = true;
            _expected.Remove(silent);
            _log.Warning("Worker {0} was silent for {1} in step {2}: dropped from the step.", entry?.Id ?? silent.Path.ToString(), _setup.StragglerTimeout, _version);
        }
        if (_pending.Count == 0)
        {
            _log.Warning("Step {0}: no worker reported; releasing it again.", _version);
            foreach (var entry in _roster.All) entry.Suspended = false;
            Release();
            return;
        }
        TryCommit();
    }

    /// <summary>sync and local-sgd: when every expected worker has reported, aggregate and step.</summary>
    private void TryCommit()
    {
        if (!_started || _finished || _setup.Mode == AggregationMode.Async || _pending.Count == 0) return;
        if (_expected.Any(w => !_pending.ContainsKey(w))) return;

        var updates = _pending.Values.OrderBy(u => u.WorkerId, StringComparer.Ordinal).ToArray();
        var total = updates.Sum(u => (long)u.BatchSize);
        // The journal keeps the event after this method returns; without one the buffer is reused.
        var sum = _setup.Persistent ? new float[_store.Layout.TotalLength] : _sum ??= new float[_store.Layout.TotalLength];
        // Weighting by samples makes the step equal to one on the union of the workers' batches.
        WeightedSum.Compute(updates.Select(u => u.Tensors.Values).ToArray(), updates.Select(u => u.BatchSize / (float)total).ToArray(), sum);
        Timers.Cancel("straggler");
        var step = new StepCommitted(_version + 1, updates.Select(u => u.WorkerId).ToArray(), (int)total,
            updates.Sum(u => u.Loss * u.BatchSize) / total,
            _setup.Mode == AggregationMode.LocalSgd ? UpdateKind.WeightDelta : UpdateKind.Gradient, sum);
        Commit(step, () => { if (!_finished) Release(); });
    }

    /// <summary>Journals the step (when persistent) and only then applies and announces it.</summary>
    private void Commit(StepCommitted step, Action then)
    {
        if (!_setup.Persistent)
        {
            Committed(step);
            then();
            return;
        }
        Persist(step, persisted =>
        {
            Committed(persisted);
            then();
        });
    }

    private void Committed(StepCommitted step)
    {
        ApplyStep(step);
        _weights = _weightBuffers is null ? _store.Weights() : _store.WeightsInto(_weightBuffers.Next());
        // async: updates computed on this version may arrive after the next ones; its array is never changed, so keep it.
        if (_weightBuffers is null && KeepsWeights) _recentWeights.Remember(_version, _weights);
        var (samples, loss, workers) = (step.Samples, step.Loss, step.Workers);
        _stepLog.Write(_version, workers, samples, loss, _rejected, _stepBytes);
        _stepBytes = 0;
        _mediator.Tell(new Publish(_topic, new StepApplied(_setup.Spec.RunId, _version, workers, samples, loss)));
        if (_setup.Persistent && _version % _setup.SnapshotEvery == 0) SaveSnapshot(TakeSnapshot());

        var done = _setup.Steps is { } steps ? _version >= steps : _samples >= SampleBudget;
        var evaluateEvery = Math.Max(1, EstimatedSteps / Math.Max(1, _setup.EvaluationPoints));
        if (done || _version % evaluateEvery == 0) Evaluate();
        _setup.Progress?.Report(new TrainingProgress((int)_version, (int)Math.Max(_version, EstimatedSteps),
            CurrentEpoch, loss,
            _accuracies.Count > 0 && _accuracies[^1].Step == _version ? _accuracies[^1].Value : null,
            _samples / Math.Max(_training.Elapsed.TotalSeconds, 1e-9)));
        if (done) Finish();
    }

    /// <summary>1-based; the last step of a run may reach a few samples into the next epoch (full batches only).</summary>
    private int CurrentEpoch
    {
        get
        {
            var epoch = (int)((_samples - 1) / Math.Max(1, _setup.TrainSamples)) + 1;
            return _setup.Steps is null ? Math.Min(epoch, _setup.Epochs) : epoch;
        }
    }

    private long EstimatedSteps
    {
        get
        {
            if (_setup.Steps is { } steps) return steps;
            long samplesPerStep = Math.Max(1, _setup.Mode switch
            {
                AggregationMode.Async => WorkerBatchSize(Math.Max(1, _roster.Count)),
                AggregationMode.LocalSgd => (long)_setup.Spec.GlobalBatchSize * _setup.Spec.LocalSteps,
                _ => _setup.Spec.GlobalBatchSize,
            });
            return Math.Max(1, (SampleBudget + samplesPerStep - 1) / samplesPerStep);
        }
    }

    private void Evaluate()
    {
        _training.Stop();
        _accuracies.Add(new CurvePoint((int)_version, _store.Accuracy(_setup.Test)));
        _training.Start();
    }

    private void Finish()
    {
        _finished = true;
        _training.Stop();
        if (_setup.Persistent && _version % _setup.SnapshotEvery != 0) SaveSnapshot(TakeSnapshot());
        Timers.CancelAll();
        foreach (var worker in _roster.All) worker.Actor.Tell(new RunFinished(_setup.Spec.RunId, _version));
        _updateSubscribers.TellFinished(_version);
        _log.Info("Run {0} finished: {1} steps, test accuracy {2:F4}, {3} rejected update(s).",
            _setup.Spec.RunId, _version, _accuracies[^1].Value, _rejected);
        _setup.OnFinished(new RunOutcome(_setup.Spec.RunId, _version, _samples, _accuracies[^1].Value, _losses[^1].Value,
            _training.Elapsed.TotalSeconds, _rejected, new Dictionary<string, long>(_rejectedByReason), _maxWorkers,
            _losses, _accuracies, _weights) { UpdateBytes = _updateBytes, DenseUpdateBytes = _denseBytes });
    }
}
