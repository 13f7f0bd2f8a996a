using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.UpdateStream;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Devices;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Tap;

/// <summary>
/// The tap's online gradient inversion of a data-parallel run (<c>run --attack invert</c>), on a thread of its own
/// (<see cref="ComputeDispatcher"/>): the consumer behind a <see cref="BoundedSubscriber"/> that asked the parameter
/// server for each update with the weights it was computed on (<see cref="SubscribeUpdates.WithWeights"/>). Each
/// <see cref="WorkerUpdate"/> is inverted by <see cref="UpdateInverter"/> (the step `replay --attack invert` takes) under
/// the configured label regime, logged to inverted.jsonl, published as <see cref="UpdateInverted"/>, and answered with
/// <see cref="ConsumerReady"/>. Threat model: an honest-but-curious parameter server, which holds every update and the
/// weights behind it. The batch's recorded labels and inputs (--record-labels, --record-inputs) reach this actor only to
/// score the reconstruction (and, in the "true" regime, as the labels the attacker is granted); the inputs never enter
/// the attack. An update without weights (a late subscription, a version the server no longer keeps) or one that fails is
/// counted and skipped: nothing escapes, so one bad update never ends the tap.
/// </summary>
public sealed class GradientInverter : ReceiveActor
{
    private readonly RunSpec _spec;
    private readonly GradientInversionTapSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly JsonLinesLog<UpdateInverted> _invertedLog;
    private readonly IActorRef? _mediator;
    private readonly LoweredThread _thread;
    private UpdateInverter? _inverter;
    private string? _refusal;
    private long _inverted;
    private long _failed;
    private long _withoutWeights;
    private double _seconds;
    private (long Count, double Mse, double Psnr, double Ssim) _images;
    private (long Count, double Accuracy) _labels;

    /// <param name="thread">This actor's thread, lowered at start; the tap restores it when the run is over.</param>
    public GradientInverter(RunSpec spec, TapSettings settings, bool publish, LoweredThread thread)
    {
        _thread = thread;
        _spec = spec;
        _settings = settings.Gradients;
        _invertedLog = new JsonLinesLog<UpdateInverted>(settings.InversionLogPathFor(spec.RunId));
        if (publish) _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Receive<WorkerUpdate>(u =>
        {
            Invert(u);
            Sender.Tell(ConsumerReady.Instance);
        });
        Receive<GetTapReport>(_ => Sender.Tell(Report()));
        ReceiveAny(_ => Sender.Tell(ConsumerReady.Instance)); // topic metadata: nothing to invert
    }

    public static Props Props(RunSpec spec, TapSettings settings, bool publish = true, LoweredThread? thread = null) =>
        Akka.Actor.Props.Create(() => new GradientInverter(spec, settings, publish, thread ?? new LoweredThread())).WithDispatcher(ComputeDispatcher.Id);

    protected override void PreStart()
    {
        // One TorchSharp thread on this actor's own (pinned) thread, at the lowest priority: the tap must not slow
        // training, so it inverts with the CPU time the workers leave (measured in docs/attacks.md).
        set_num_threads(1);
        if (!_thread.LowerCurrent())
            _log.Warning("Could not lower the gradient inversion thread's priority: the tap competes with training for the cores.");
        _refusal = UpdateInverter.Refusal(_spec);
        if (_refusal is null && _settings.Labels == LabelKnowledge.True && !_spec.RecordLabels)
            _refusal = $"Labels 'true' need the batches' recorded labels, but run {_spec.RunId} does not record them: run with --record-labels, or use --invert-labels rlg | none.";
        if (_refusal is not null) _log.Error("The tap cannot invert the updates of run {0}: {1}", _spec.RunId, _refusal);
        else
            _log.Info("Gradient inversion tap on run {0}: labels {1}, {2} steps × {3} restart(s) per update{4}.", _spec.RunId,
                Name(_settings.Labels), _settings.Iterations, _settings.Restarts, _spec.RecordInputs ? ", scored against the recorded inputs" : "");
    }

    protected override void PostStop()
    {
        _invertedLog.Dispose();
        _inverter?.Dispose();
    }

    private void Invert(WorkerUpdate update)
    {
        if (_refusal is not null)
        {
            _failed++;
            return;
        }
        // Built at the first update, not at start: building seeds torch's global generator, and at start that could
        // interleave with the parameter server drawing the run's initial weights (a seeded run must reproduce). An
        // update exists only once those weights do.
        _inverter ??= new UpdateInverter(_spec);
        if (update.Weights is null)
        {
            _failed++;
            if (++_withoutWeights == 1)
                _log.Warning("Update {0} of worker {1} came without the weights it was computed on (a late subscription, or a version the server no longer keeps): skipped, and counted.",
                    update.Version, update.WorkerId);
            return;
        }
        try
        {
            var result = _inverter.Invert(new UpdateToInvert(update.Version, update.WorkerId, update.BatchSize, update.Tensors,
                update.Tensors with { Values = update.Weights }, update.Labels, update.Inputs), _settings.Labels, _settings.Options);
            _inverted++;
            _seconds += result.Seconds;
            if (result.Psnr is { } psnr)
                _images = (_images.Count + 1, _images.Mse + result.Mse!.Value, _images.Psnr + psnr, _images.Ssim + result.Ssim!.Value);
            if (result.LabelAccuracy is { } accuracy) _labels = (_labels.Count + 1, _labels.Accuracy + accuracy);
            var inverted = new UpdateInverted(update.RunId, update.Version, update.WorkerId, update.BatchSize, result.Labels, result.TrueLabels,
                result.LabelAccuracy, result.Mse, result.Psnr, result.Ssim, result.GradientDistance, result.Iterations, result.Seconds);
            _invertedLog.Write(inverted);
            _mediator?.Tell(new Publish(TapTopics.Inverted(update.RunId), inverted));
            _log.Info("Inverted {0}'s update {1} ({2} sample(s)) in {3:F2} s{4}.", update.WorkerId, update.Version, update.BatchSize, result.Seconds,
                result.Psnr is { } p ? $": PSNR {p:F2} dB, SSIM {result.Ssim:F3}" : "");
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            _failed++;
            _log.Warning("Could not invert {0}'s update {1}: {2}", update.WorkerId, update.Version, e.Message);
        }
        catch (Exception e)
        {
            // One bad update must not end the tap (or stall the subscriber that waits for our reply).
            _failed++;
            _log.Error(e, "The inversion failed on {0}'s update {1}: {2}", update.WorkerId, update.Version, e.Message);
        }
    }

    /// <summary>This actor's part of a <see cref="TapReport"/> (what the subscriber counts is zero here).</summary>
    private TapReport Report() => new(_spec.RunId, 0, _inverted, _failed, 0, 0, _images.Count, double.NaN, double.NaN, double.NaN, double.NaN,
        _inverted == 0 ? double.NaN : _seconds / _inverted)
    {
        Gradients = new GradientInversionReport(Name(_settings.Labels), _settings.Iterations, _settings.Restarts, _withoutWeights, _images.Count, _labels.Count,
            Mean(_images.Mse, _images.Count), Mean(_images.Psnr, _images.Count), Mean(_images.Ssim, _images.Count), Mean(_labels.Accuracy, _labels.Count)),
    };

    private static double Mean(double sum, long count) => count == 0 ? double.NaN : sum / count;

    private static string Name(LabelKnowledge labels) => labels.ToString().ToLowerInvariant();
}
