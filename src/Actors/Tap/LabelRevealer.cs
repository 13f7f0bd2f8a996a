using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Recording;
using ActorTrain.Actors.UpdateStream;
using ActorTrain.Tensors.Attacks;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace ActorTrain.Actors.Tap;

/// <summary>
/// Runs RLG on each worker update it is handed, one at a time, on a thread of its own (run it on
/// <see cref="ComputeDispatcher"/>): publishes and logs <see cref="LabelsRevealed"/>, scores it against the batch's
/// true labels when the run records them, and replies <see cref="ConsumerReady"/> to the sender. Online it is the
/// consumer behind a <see cref="BoundedSubscriber"/> (updates arrive as <see cref="WorkerUpdate"/>); replay hands it
/// <see cref="ReplayedUpdate"/>s. The attack reads only the update: the truth is used for the score alone.
/// </summary>
public sealed class LabelRevealer : ReceiveActor
{
    private readonly RunSpec _spec;
    private readonly TapSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RevelationScore _score = new();
    private readonly JsonLinesLog<LabelsRevealed> _revealedLog;
    private readonly IActorRef? _mediator;
    private long _attacked;
    private long _failed;
    private double _seconds;

    public LabelRevealer(RunSpec spec, TapSettings settings, bool publish)
    {
        _spec = spec;
        _settings = settings;
        _revealedLog = new JsonLinesLog<LabelsRevealed>(settings.LogPathFor(spec.RunId));
        if (publish) _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<WorkerUpdate>(u => Attack(() => ProjectionUpdate.From(u, _spec, _settings.ProjectionLayer), u.Labels, u.Version, u.WorkerId));
        Receive<ReplayedUpdate>(r => Attack(() => ProjectionUpdate.From(r.Update, _spec, _settings.ProjectionLayer), r.Truth, r.Update.Version, r.Update.WorkerId));
        Receive<GetTapReport>(_ => Sender.Tell(Report()));
        ReceiveAny(_ => Sender.Tell(ConsumerReady.Instance)); // topic metadata: nothing to attack
    }

    public static Props Props(RunSpec spec, TapSettings settings, bool publish = true) =>
        Akka.Actor.Props.Create(() => new LabelRevealer(spec, settings, publish)).WithDispatcher(ComputeDispatcher.Id);

    protected override void PostStop() => _revealedLog.Dispose();

    /// <summary>This actor's part of a <see cref="TapReport"/> (what the subscriber counts is zero here).</summary>
    private TapReport Report() => new(_spec.RunId, 0, _attacked, _failed, 0, 0, _score.Updates,
        _score.Precision, _score.Recall, _score.ExactMatch, _score.CountAccuracy, _attacked == 0 ? double.NaN : _seconds / _attacked);

    private void Attack(Func<ProjectionUpdate> read, long[]? truth, long version, string worker)
    {
        try
        {
            var update = read();
            var result = RlgAttack.RevealLabels(update.Weight, update.Classes, update.Features, MatrixOrientation.ClassesByFeatures,
                update.Samples, update.Bias ?? [], _settings.Rlg);
            var labels = result.Labels.ToArray();
            var counts = result.Counts?.ToArray();
            RevealedScore? score = null;
            if (truth is not null)
            {
                var s = _score.Add(labels, counts, truth);
                score = new RevealedScore(s.TruePositives, s.FalsePositives, s.Missed, s.ExactMatch, s.ExactCounts);
            }
            _attacked++;
            _seconds += result.Seconds;
            var revealed = new LabelsRevealed(update.RunId, update.Version, update.WorkerId, labels, counts, update.Samples,
                result.RankUsed, result.Seconds, score);
            _revealedLog.Write(revealed);
            _mediator?.Tell(new Publish(TapTopics.Revealed(update.RunId), revealed));
            _log.Info("Revealed {0} label(s) of {1}'s update {2}{3}: {4}", labels.Length, worker, version, Describe(score), Summary(labels, counts));
        }
        catch (ArgumentException e)
        {
            _failed++;
            _log.Warning("Could not attack {0}'s update {1}: {2}", worker, version, e.Message);
        }
        catch (Exception e)
        {
            // One bad update must not end the tap (or stall the subscriber that waits for our reply).
            _failed++;
            _log.Error(e, "The attack failed on {0}'s update {1}: {2}", worker, version, e.Message);
        }
        Sender.Tell(ConsumerReady.Instance);
    }

    private static string Describe(RevealedScore? score) => score is null
        ? ""
        : $" ({(score.ExactMatch ? "exact" : $"{score.Wrong} wrong, {score.Missed} missed")}{(score.ExactCounts == true ? ", counts exact" : "")})";

    private static string Summary(int[] labels, int[]? counts)
    {
        const int shown = 20;
        var items = labels.Take(shown).Select((l, i) => counts is null ? l.ToString() : $"{l}×{counts[i]}");
        return string.Join(' ', items) + (labels.Length > shown ? $" … (+{labels.Length - shown})" : "");
    }
}

/// <summary>Replay → <see cref="LabelRevealer"/>: a recorded update and, when recorded, its batch's true labels.</summary>
public sealed record ReplayedUpdate(UpdateCaptured Update, long[]? Truth);
