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
/// server receives goes to a <see cref="DecoderTrainer"/> child (per client, the newest waits while one trains); each
/// activation batch is reconstructed with the decoder of its client's newest snapshot (without SplitFed each client
/// keeps its own segment; with it, the round's average, which the server streams, is every client's; a client with
/// neither borrows the newest decoder) and, when the run records inputs, scored against
/// the batch's true images beside the mean-image baseline. Batches that arrive before the first snapshot cannot be
/// attacked (counted as failed); while a decoder for its client trains, the batch in hand waits for it (a stale decoder reconstructs
/// the clients' drifting activations badly) and the subscriber's bounded queue holds, and drops, the rest. Replies
/// <see cref="ConsumerReady"/> for each batch; client weights bypass the queue unanswered.
/// </summary>
public sealed class ActivationInverter : ReceiveActor, IWithTimers
{
    private readonly RunSpec _spec;
    private readonly InversionTapSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly JsonLinesLog<BatchInverted> _batchLog;
    private readonly InversionTally _tally = new();
    private readonly Dictionary<(string Worker, long Step), float[]> _inputs = [];
    private readonly Queue<(string Worker, long Step)> _inputOrder = new();
    private readonly Dictionary<string, (InversionDecoder Decoder, long Number)> _decoders = [];
    private readonly Dictionary<string, TrainDecoder> _waitingWeights = [];
    private readonly HashSet<string> _ownSegments = [];
    private long[] _sampleShape = [];
    private int _auxiliarySamples;
    private Tensor? _meanImage;
    private IActorRef _trainer = ActorRefs.Nobody;
    private (InversionDecoder Decoder, long Number)? _newest;
    private string? _trainingFor;
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
        _batchLog = new JsonLinesLog<BatchInverted>(settings.InversionLogPathFor(spec.RunId));
        Receive<SplitTensors>(OnSplitTensors);
        Receive<DecoderTrained>(OnTrained);
        Receive<DecoderFailed>(_ =>
        {
            _trainingFor = null;
            TrainWaiting();
            ReleaseHeldIfCurrent();
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
        if (_spec.RecordInputs) Timers.StartPeriodicTimer("ask-inputs", AskForInputs.Instance, TimeSpan.Zero, TimeSpan.FromMilliseconds(500));
        var decoder = _settings.DecoderOptions;
        _log.Info("Inversion tap on run {0}: auxiliary set = the last {1} training images; decoder hidden [{2}], {3} epochs per snapshot.",
            _spec.RunId, _auxiliarySamples, string.Join(", ", decoder.HiddenWidths), decoder.Epochs);
    }

    protected override void PostStop()
    {
        _batchLog.Dispose();
        foreach (var (decoder, _) in _decoders.Values) decoder.Dispose();
        _meanImage?.Dispose();
    }

    private void OnSplitTensors(SplitTensors message)
    {
        switch (message.Kind)
        {
            case SplitPayload.ClientWeights:
                _weightsSeen++;
                if (message.WorkerId != Split.SplitServerActor.AveragedSegmentId) _ownSegments.Add(message.WorkerId);
                _waitingWeights[message.WorkerId] = new TrainDecoder(message.WorkerId, message.Tensors.Values, _weightsSeen);
                TrainWaiting();
                break;
            case SplitPayload.Inputs:
                KeepInputs(message);
                break;
            case SplitPayload.Activations when Pending(SegmentOf(message.WorkerId)):
                _held = (message, Sender); // a decoder for this client's newer weights is on its way: wait for it, the queue holds the rest
                TrainWaiting();
                break;
            case SplitPayload.Activations when _newest is not null:
                Attack(message);
                Sender.Tell(ConsumerReady.Instance);
                break;
            default:
                if (message.Kind == SplitPayload.Activations) _unattacked++;
                Sender.Tell(ConsumerReady.Instance);
                break;
        }
    }

    /// <summary>Whether newer weights of <paramref name="segment"/> are being, or waiting to be, learned.</summary>
    private bool Pending(string segment) => _trainingFor == segment || _waitingWeights.ContainsKey(segment);

    /// <summary>Whose segment made a client's activations: its own once the server saw it; else SplitFed's average.</summary>
    private string SegmentOf(string worker) => _ownSegments.Contains(worker) ? worker : Split.SplitServerActor.AveragedSegmentId;

    /// <summary>Starts the next training: the held batch's client first, else any client's waiting snapshot.</summary>
    private void TrainWaiting()
    {
        if (_trainingFor is not null || _waitingWeights.Count == 0) return;
        var worker = _held is { } held && _waitingWeights.ContainsKey(SegmentOf(held.Batch.WorkerId)) ? SegmentOf(held.Batch.WorkerId) : _waitingWeights.Keys.First();
        _waitingWeights.Remove(worker, out var order);
        _trainer.Tell(order);
        _trainingFor = worker;
    }

    private void OnTrained(DecoderTrained trained)
    {
        _trainingFor = null;
        _trainings++;
        _trainingSeconds += trained.Seconds;
        if (_decoders.Remove(trained.WorkerId, out var old)) old.Decoder.Dispose();
        _decoders[trained.WorkerId] = (trained.Decoder, _trainings);
        _newest = _decoders[trained.WorkerId];
        _log.Info("Inversion tap: decoder {0} trained on client {1}'s weights (snapshot {2}) in {3:F1} s.", _trainings, trained.WorkerId, trained.Snapshot, trained.Seconds);
        TrainWaiting();
        ReleaseHeldIfCurrent();
    }

    /// <summary>Attacks the held batch unless newer weights of its client are still being learned.</summary>
    private void ReleaseHeldIfCurrent()
    {
        if (_held is not { } held || Pending(SegmentOf(held.Batch.WorkerId))) return;
        _held = null;
        if (_newest is null) _unattacked++;
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
            // Without SplitFed each client keeps its own segment: its own decoder when it has one, else the newest there is.
            var (decoder, number) = _decoders.TryGetValue(SegmentOf(batch.WorkerId), out var own) ? own : _newest!.Value;
            var reconstructions = decoder.Reconstruct(tensor(batch.Tensors.Values, [n, batch.Tensors.Values.Length / n]));
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
            _batchLog.Write(new BatchInverted(batch.RunId, batch.WorkerId, batch.Step, (int)n, number, seconds, score, baseline));
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
