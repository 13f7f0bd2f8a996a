using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Split;

/// <summary>
/// SplitFed (Thapa et al., AAAI 2022; the SFLV2 arrangement: one server segment stepped for each client batch in turn,
/// client segments averaged with FedAvg). Every <see cref="SplitSpec.AverageEvery"/> server steps a round starts: each
/// active client is asked for its segment (<see cref="SplitFedCollect"/>), finishes its batch in flight and reports
/// (<see cref="SegmentWeightsKind.Report"/>) with the samples it trained on since it last reported; the server weighs the
/// segments by those samples (<see cref="SegmentAverage"/>) and sends the average to every active client
/// (<see cref="SegmentWeightsKind.Average"/>), which replace their segments. A client silent for
/// <see cref="SplitSpec.AverageTimeout"/> is left out of the round (it still gets the average). Clients that join later
/// get the latest average before their first batch. Accuracy is measured with the average, the last one taken when
/// the step budget is spent.
/// </summary>
public sealed partial class SplitServerActor
{
    /// <summary>A round's timeout when the spec gives none (hocon: actortrain.split.average-timeout).</summary>
    private static readonly TimeSpan FallbackAverageTimeout = TimeSpan.FromSeconds(5);

    private readonly List<(string Id, float[] Weights, long Samples)> _fedReports = [];
    private Dictionary<IActorRef, string>? _fedExpected; // while a round collects: the clients not heard from yet
    private ICancelable? _fedTimeout;
    private float[]? _fedAverage;
    private long _fedRound;
    private long _fedAveragedRound;
    private int _fedRounds;

    private bool SplitFedOn => _split.AverageEvery > 0;

    private void ReceiveSplitFed()
    {
        Receive<SegmentWeights>(w => { if (_gate.Admits(Sender)) OnSegment(w); });
        Receive<RoundTimedOut>(t =>
        {
            if (t.Round == _fedRound && _fedExpected is not null) CompleteRound();
        });
    }

    /// <summary>After each server step: start a round every H steps, and a last one when the budget is spent.</summary>
    private void AfterSplitFedStep()
    {
        if (BudgetSpent)
        {
            _finishing = true;
            if (_fedExpected is null) StartRound(); // else the round under way is the last
        }
        else if (_fedExpected is null && _steps % _split.AverageEvery == 0)
        {
            StartRound();
        }
    }

    private void StartRound()
    {
        var clients = _roster.Active;
        if (clients.Count == 0)
        {
            if (_finishing) EvaluateAverage();
            return;
        }
        _fedRound++;
        _fedReports.Clear();
        _fedExpected = clients.ToDictionary(c => c.Actor, c => c.Id);
        foreach (var client in clients) client.Actor.Tell(new SplitFedCollect(_setup.Spec.RunId, _fedRound));
        var timeout = _split.AverageTimeout > TimeSpan.Zero ? _split.AverageTimeout : FallbackAverageTimeout;
        _fedTimeout = Context.System.Scheduler.ScheduleTellOnceCancelable(timeout, Self, new RoundTimedOut(_fedRound), Self);
    }

    private void OnSegment(SegmentWeights report)
    {
        var client = _roster.Find(Sender);
        if (client is null || client.Id != report.WorkerId || report.RunId != _setup.Spec.RunId || report.Kind != SegmentWeightsKind.Report)
        {
            _rejected++;
            _log.Warning("Ignoring a client segment from '{0}' at {1} (run '{2}', {3}): not a client of this run.",
                report.WorkerId, Sender.Path.Address, report.RunId, report.Kind);
            return;
        }
        if (_fedExpected is null || report.Round != _fedRound || !_fedExpected.Remove(Sender))
        {
            // Its round closed without it; the round's average (or "keep yours") went to it already.
            _log.Info("SplitFed: client {0}'s segment for round {1} came after the round closed; ignored.", report.WorkerId, report.Round);
            return;
        }
        if (report.Weights.Values.Length != _server.ClientLayout.TotalLength || report.Samples < 0 || !WeightedSum.AllFinite(report.Weights.Values))
        {
            _rejected++;
            _log.Warning("SplitFed round {0}: client {1}'s segment is unusable ({2} values, {3} samples; expected {4} finite values); left out.",
                _fedRound, report.WorkerId, report.Weights.Values.Length, report.Samples, _server.ClientLayout.TotalLength);
        }
        else
        {
            _fedReports.Add((report.WorkerId, report.Weights.Values, report.Samples));
        }
        if (_fedExpected.Count == 0) CompleteRound();
    }

    private void CompleteRound()
    {
        _fedTimeout?.Cancel();
        var leftOut = _fedExpected!.Values.Order(StringComparer.Ordinal).ToArray();
        _fedExpected = null;
        if (leftOut.Length > 0)
            _log.Warning("SplitFed round {0}: left out {1} (no segment within the timeout).", _fedRound, string.Join(", ", leftOut));
        TensorSet average;
        if (_fedReports.Count > 0)
        {
            _fedAverage = SegmentAverage.Weighted(_fedReports.Select(r => r.Weights).ToArray(), _fedReports.Select(r => r.Samples).ToArray());
            _fedAveragedRound = _fedRound;
            _fedRounds++;
            average = TensorSet.FromLayout(_server.ClientLayout, _fedAverage);
            PublishToStream(new SplitTensors(_setup.Spec.RunId, AveragedSegmentId, _fedRound, SplitPayload.ClientWeights, average));
            _log.Info("Run {0}: SplitFed round {1} after {2} steps averaged {3} client(s) ({4}) over {5} samples.", _setup.Spec.RunId, _fedRound,
                _steps, _fedReports.Count, string.Join(", ", _fedReports.Select(r => $"{r.Id}: {r.Samples}")), _fedReports.Sum(r => r.Samples));
        }
        else
        {
            average = new TensorSet([], [], []); // every client keeps its own segment
            _log.Warning("SplitFed round {0}: no client sent its segment in time; each keeps its own.", _fedRound);
        }
        _fedReports.Clear();
        if (_finishing)
        {
            EvaluateAverage();
            return;
        }
        foreach (var client in _roster.Active)
            _transport.Send(client.Actor, new SegmentWeights(_setup.Spec.RunId, "", _fedRound, SegmentWeightsKind.Average, 0, average), Self);
        if (_fedAverage is not null && _steps - Math.Max(0, _lastEvaluated) >= EvaluateEvery) Evaluate(_fedAverage);
    }

    /// <summary>The last accuracy: with the latest average (before any round: the initial segment, which every client started from).</summary>
    private void EvaluateAverage() => Evaluate(_fedAverage ?? _server.ClientWeights());

    /// <summary>A client that is ready (newly, or again after losing its server) holds the latest average before its next batch.</summary>
    private void SendLatestAverage(RosterEntry client)
    {
        if (_fedAverage is null) return;
        _transport.Send(client.Actor, new SegmentWeights(_setup.Spec.RunId, "", _fedAveragedRound, SegmentWeightsKind.Average, 0,
            TensorSet.FromLayout(_server.ClientLayout, _fedAverage)), Self);
    }

    private void SplitFedClientLeft(IActorRef client)
    {
        if (_fedExpected is not null && _fedExpected.Remove(client) && _fedExpected.Count == 0) CompleteRound();
    }

    private sealed record RoundTimedOut(long Round);
}
