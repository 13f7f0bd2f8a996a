using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Workers;

/// <summary>
/// SplitFed on the client (docs/defenses.md, "SplitFed"): asked for its segment (<see cref="SplitFedCollect"/>), a client
/// finishes the batch in flight, reports its weights and the samples it trained on since its last average, and holds
/// its next batch until the round's average arrives; it then replaces its segment (keeping its optimizer state) and
/// goes on. Weights are only ever replaced between batches, never under a batch's pending backward pass.
/// </summary>
public sealed partial class WorkerActor
{
    /// <summary>The round whose average this client holds (0: none yet).</summary>
    private long _fedHeld;

    /// <summary>From <see cref="SplitStart.Round"/>: the round whose average the client must hold before its next batch.</summary>
    private long _fedRequired;

    /// <summary>A round that asked for this client's segment, answered as soon as no batch is in flight (0: none).</summary>
    private long _fedCollect;

    /// <summary>The round this client reported to; it holds its next batch until that round's average arrives.</summary>
    private long _fedAwaiting;

    private IActorRef _fedServer = ActorRefs.Nobody;
    private SegmentWeights? _fedPendingAverage;

    /// <summary><see cref="Tensors.Split.SplitClient.SamplesTrained"/> at the last report or average: samples since then are this client's FedAvg weight.</summary>
    private long _fedSamplesCounted;

    private void ReceiveSplitFed()
    {
        Receive<SplitFedCollect>(collect =>
        {
            if (_spec is null || _splitClient is null || collect.RunId != _spec.RunId || collect.Round <= _fedHeld) return;
            _fedServer = Sender;
            _fedCollect = Math.Max(_fedCollect, collect.Round);
            AnswerCollectIfDue();
        });
        Receive<SegmentWeights>(average =>
        {
            if (_spec is null || _splitClient is null || average.RunId != _spec.RunId || average.Kind != SegmentWeightsKind.Average || average.Round <= _fedHeld)
                return;
            if (_inFlight is not null)
            {
                if (average.Round > (_fedPendingAverage?.Round ?? 0)) _fedPendingAverage = average;
                return;
            }
            ApplyAverage(average);
            AnswerCollectIfDue();
            Self.Tell(NextSplitBatch.Instance);
        });
        Receive<SplitBatchDropped>(dropped =>
        {
            if (_spec is null || dropped.RunId != _spec.RunId || _inFlight?.Step != dropped.Step) return;
            _splitClient?.Abandon();
            _inFlight = null;
            Self.Tell(NextSplitBatch.Instance); // answers the last round's collect
        });
    }

    /// <summary>
    /// Called before each batch (no batch in flight): applies an average that arrived meanwhile, answers a waiting
    /// collect, and says whether the client must hold its next batch for an average.
    /// </summary>
    private bool SplitFedHolds()
    {
        if (_fedPendingAverage is { } pending)
        {
            _fedPendingAverage = null;
            if (pending.Round > _fedHeld) ApplyAverage(pending);
        }
        AnswerCollectIfDue();
        return _fedAwaiting > _fedHeld || _fedRequired > _fedHeld;
    }

    /// <summary>
    /// A collect is answered between batches, and only once the average of a round this client already reported to
    /// has arrived (a collect can overtake the previous round's average: control messages travel whole, a segment in chunks).
    /// </summary>
    private void AnswerCollectIfDue()
    {
        if (_fedCollect <= _fedHeld || _fedAwaiting > _fedHeld || _inFlight is not null) return;
        var client = _splitClient!;
        var samples = client.SamplesTrained - _fedSamplesCounted;
        _transport.Send(_fedServer, new SegmentWeights(_spec!.RunId, _settings.WorkerId, _fedCollect, SegmentWeightsKind.Report, samples,
            TensorSet.FromLayout(client.Layout, client.Weights())), Self);
        _fedSamplesCounted = client.SamplesTrained;
        _fedAwaiting = _fedCollect;
        _fedCollect = 0;
    }

    private void ApplyAverage(SegmentWeights average)
    {
        var client = _splitClient!;
        if (average.Weights.Values.Length > 0) // empty: the round averaged nothing; keep this segment
        {
            try
            {
                client.SetWeights(average.Weights.Values);
                _fedSamplesCounted = client.SamplesTrained;
            }
            catch (Exception e) when (e is ArgumentException or NonFiniteValueException)
            {
                _log.Warning("Worker {0}: SplitFed round {1}'s average does not fit this client segment ({2}); keeping its own.",
                    _settings.WorkerId, average.Round, e.Message);
            }
        }
        _fedHeld = average.Round;
        if (_fedCollect <= _fedHeld) _fedCollect = 0;
    }

    /// <summary>A new run, or a lost split server: no round is waited for any more (the server resends its latest average on rejoin).</summary>
    private void ResetSplitFedWait(bool newRun)
    {
        _fedCollect = 0;
        _fedAwaiting = 0;
        _fedPendingAverage = null;
        if (!newRun) return;
        _fedHeld = 0;
        _fedRequired = 0;
        _fedSamplesCounted = 0;
    }
}
