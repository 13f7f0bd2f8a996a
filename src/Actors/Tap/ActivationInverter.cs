using System.Diagnostics;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.UpdateStream;
using ActorTrain.Actors.Workers;
using ActorTrain.Tensors.Attacks;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Models;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using static TorchSharp.torch;

namespace ActorTrain.Actors.Tap;

/// <summary>
/// The inversion tap on a split run, on a thread of its own (<see cref="ComputeDispatcher"/>): the consumer behind a
/// <see cref="BoundedSubscriber"/> to the split server's stream. Threat model: an honest-but-curious split server (or
/// anyone who sees what it sees) with an auxiliary set, the last N training images. Each client-weight snapshot the
/// server receives goes to a <see cref="DecoderTrainer"/> child (the newest waits while one trains); each activation
/// batch is reconstructed with the newest decoder and, when the run records inputs, scored against the batch's true
/// images beside the mean-image baseline. Batches that arrive before the first snapshot cannot be attacked (counted as
/// failed); while the first decoder trains, the batch in hand waits and the subscriber's bounded queue holds (and
/// drops) the rest. Replies <see cref="ConsumerReady"/> for each batch; client weights bypass the queue unanswered.
/// </summary>
public sealed class ActivationInverter : ReceiveActor, IWithTimers
{
    private readonly RunSpec _spec;
    private readonly InversionTapSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly InversionLog _batchLog;
    private readonly InversionTally _tally = new();
    private readonly Dictionary<(string Worker, long Step), float[]> _inputs = [];
    private readonly Queue<(string Worker, long Step)> _inputOrder = new();
    private long[] _sampleShape = [];
    private int _auxiliarySamples;
    private Tensor? _meanImage;
    private IActorRef _trainer = ActorRefs.Nobody;
    private InversionDecoder? _decoder;
    private bool _training;
    private TrainDecoder? _waitingWeights;
    private (SplitTensors Batch, IActorRef ReplyTo)? _held;
    private long _attacked;
    private long _unattacked;
    private long _weightsSeen;
    private long _trainings;
    private double _trainingSeconds;

    public ActivationInverter(RunSpec spec, TapSettings settings)
    {
        _spec = spec;
        _settings = settings.Inversion;
        _batchLog = new InversionLog(settings.InversionLogPathFor(spec.RunId));
        Receive<SplitTensors>(OnSplitTensors);
        Receive<DecoderTrained>(OnTrained);
        Receive<DecoderFailed>(f =>
        {
            _training = false;
            TrainWaiting();
            if (_decoder is null && !_training) ReleaseHeld();
        });
        Receive<AskForInputs>(_ => DistributedPubSub.Get(Context.System).Mediator.Tell(
            new Publish(InversionTopics.InputRequests(_spec.RunId), new SubscribeInputs(_spec.RunId))));
        Receive<GetTapReport>(_ => Sender.Tell(Report()));
        ReceiveAny(_ => Sender.Tell(ConsumerReady.Instance)); // anything else from the queue: nothing to attack
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(RunSpec spec, TapSettings settings) =>
        Akka.Actor.Props.Create(() => new ActivationInverter(spec, settings)).WithDispatcher(ComputeDispatcher.Id);

    protected override void PreStart()
    {
        var split = _spec.Split ?? throw new ArgumentException("The inversion tap attacks split runs (RunSpec.Split).");
        if (_spec.Dataset != "fashion-mnist")
            throw new ArgumentException($"The inversion tap reconstructs images: run on fashion-mnist, not {_spec.Dataset}.");
        var train = RunData.Load(_spec, _settings.FashionMnistDirectory, "").Train;
        _auxiliarySamples = Math.Min(_settings.AuxiliarySamples, train.Count);
        if (_auxiliarySamples < 1) throw new ArgumentException($"The inversion tap needs auxiliary samples ≥ 1 (got {_settings.AuxiliarySamples}).");
        _sampleShape = train.SampleShape;
        // The attacker's auxiliary set: the last N training images, from the same distribution as the clients' data.
        using var slice = train.Inputs[(train.Count - _auxiliarySamples)..];
        var model = new ModelSpec(_spec.Model, train.SampleShape, train.ClassCount, _spec.Hidden).Build(_spec.Seed);
        var attacker = new ClientSegmentInversion(model, split.Cut, slice.clone(), FashionMnist.ToUnitRange(slice),
            split.Noise, split.NoiseScale, (int)_spec.Seed);
        _meanImage = attacker.MeanImage();
        _trainer = Context.ActorOf(DecoderTrainer.Props(attacker, _settings.DecoderOptions), "decoder-trainer");
        if (_spec.RecordInputs) Timers.StartPeriodicTimer("ask-inputs", AskForInputs.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(2));
        _log.Info("Inversion tap on run {0}: auxiliary set = the last {1} training images; decoder {2}.", _spec.RunId, _auxiliarySamples, _settings.DecoderOptions);
    }

    protected override void PostStop()
    {
        _batchLog.Dispose();
        _decoder?.Dispose();
        _meanImage?.Dispose();
    }

    private void OnSplitTensors(SplitTensors message)
    {
        switch (message.Kind)
        {
            case SplitPayload.ClientWeights:
                _weightsSeen++;
                _waitingWeights = new TrainDecoder(message.Tensors.Values, _weightsSeen);
                TrainWaiting();
                break;
            case SplitPayload.Inputs:
                KeepInputs(message);
                break;
            case SplitPayload.Activations when _decoder is not null:
                Attack(message);
                Sender.Tell(ConsumerReady.Instance);
                break;
            case SplitPayload.Activations when _training:
                _held = (message, Sender); // the first decoder is on its way: wait for it, the queue holds the rest
                break;
            default:
                if (message.Kind == SplitPayload.Activations) _unattacked++;
                Sender.Tell(ConsumerReady.Instance);
                break;
        }
    }

    private void TrainWaiting()
    {
        if (_training || _waitingWeights is null) return;
        _trainer.Tell(_waitingWeights);
        _waitingWeights = null;
        _training = true;
    }

    private void OnTrained(DecoderTrained trained)
    {
        _training = false;
        _decoder?.Dispose();
        _decoder = trained.Decoder;
        _trainings++;
        _trainingSeconds += trained.Seconds;
        _log.Info("Inversion tap: decoder {0} trained on client weight snapshot {1} in {2:F1} s.", _trainings, trained.Snapshot, trained.Seconds);
        TrainWaiting();
        ReleaseHeld();
    }

    private void ReleaseHeld()
    {
        if (_held is not { } held) return;
        _held = null;
        if (_decoder is null) _unattacked++;
        else Attack(held.Batch);
        held.ReplyTo.Tell(ConsumerReady.Instance);
    }

    private void KeepInputs(SplitTensors message)
    {
        var key = (message.WorkerId, message.Step);
        if (_inputs.ContainsKey(key)) return;
        if (_inputOrder.Count >= Math.Max(1, _settings.InputsKept)) _inputs.Remove(_inputOrder.Dequeue());
        _inputs[key] = message.Tensors.Values;
        _inputOrder.Enqueue(key);
    }

    private void Attack(SplitTensors batch)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var scope = NewDisposeScope();
            var n = batch.Tensors.Shapes[0][0];
            var reconstructions = _decoder!.Reconstruct(tensor(batch.Tensors.Values, [n, batch.Tensors.Values.Length / n]));
            var seconds = clock.Elapsed.TotalSeconds;
            InversionScoreLine? score = null, baseline = null;
            if (_inputs.Remove((batch.WorkerId, batch.Step), out var inputs) && inputs.Length == reconstructions.numel())
            {
                var images = FashionMnist.ToUnitRange(tensor(inputs, [n, .. _sampleShape]));
                var attack = InversionAttack.Score(reconstructions, images);
                var guess = InversionAttack.MeanImageBaseline(_meanImage!, images);
                _tally.Add(attack, guess, (int)n);
                score = new InversionScoreLine(attack.Mse, attack.Psnr, attack.Ssim);
                baseline = new InversionScoreLine(guess.Mse, guess.Psnr, guess.Ssim);
            }
            _attacked++;
            _batchLog.Write(new BatchInverted(batch.RunId, batch.WorkerId, batch.Step, (int)n, _trainings, seconds, score, baseline));
        }
        catch (Exception e) when (e is ArgumentException or System.Runtime.InteropServices.ExternalException)
        {
            _unattacked++;
            _log.Warning("Could not invert {0}'s batch {1}: {2}", batch.WorkerId, batch.Step, e.Message);
        }
    }

    /// <summary>This actor's part of a <see cref="TapReport"/> (the subscriber's counts are zero here).</summary>
    private TapReport Report()
    {
        var (attack, baseline) = (_tally.Attack, _tally.Baseline);
        return new TapReport(_spec.RunId, 0, _attacked, _unattacked, 0, 0, _tally.Batches, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)
        {
            Inversion = new InversionReport(_weightsSeen, _trainings, _tally.Batches, _tally.Samples, _auxiliarySamples,
                _trainings == 0 ? double.NaN : _trainingSeconds / _trainings,
                attack.Mse, attack.Psnr, attack.Ssim, baseline.Mse, baseline.Psnr, baseline.Ssim),
        };
    }

    private sealed class AskForInputs
    {
        public static readonly AskForInputs Instance = new();
    }
}
