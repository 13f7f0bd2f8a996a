using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Split;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Devices;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using Akka.Actor;

namespace ActorTrain.Actors.Workers;

/// <summary>
/// A worker in a split-learning run is a client: it runs the layers up to the cut on its shard, sends the
/// activations (never the inputs) to the split server, and finishes backpropagation with the server's ∂L/∂Z plus,
/// with NoPeek, its defense actor's α·∂dCor/∂Z. One batch is in flight at a time.
/// </summary>
public sealed partial class WorkerActor
{
    private SplitClient? _splitClient;
    private SplitSpec? _split;
    private IActorRef? _defense;
    private IActorRef _splitServer = ActorRefs.Nobody;
    private string[] _splitMembers = [];
    private int _splitBatchSize;
    private bool _splitRunning;
    private ClientBatch? _inFlight;
    private float[]? _serverGradient;
    private float[]? _defenseGradient;

    private void ReceiveSplit()
    {
        Receive<SplitStart>(OnSplitStart);
        Receive<NextSplitBatch>(_ => SendNextBatch());
        Receive<ActivationsToSend>(a =>
        {
            if (_inFlight?.Step == a.Step) SendActivations(a.Activations);
        });
        Receive<DefenseGradient>(g =>
        {
            if (_inFlight?.Step != g.Step) return;
            _defenseGradient = g.Gradient;
            TryFinishSplitStep();
        });
        Receive<SplitTensors>(OnSplitTensors);
        ReceiveSplitFed();
        ReceiveInputSubscriptions();
        Receive<SplitEvaluate>(_ =>
        {
            if (_splitClient is null || _spec is null) return;
            var weights = TensorSet.FromLayout(_splitClient.Layout, _splitClient.Weights());
            _transport.Send(Sender, new SplitTensors(_spec.RunId, _settings.WorkerId, _inFlight?.Step ?? -1, SplitPayload.ClientWeights, weights), Self);
        });
    }

    private void JoinSplitRun(RunSpec spec, SplitSpec split, LayeredModel model, LabeledDataset train)
    {
        _splitClient?.Dispose();
        _splitClient = new SplitClient(model, split.Cut, train, ComputeDevice.Parse(_settings.Device).ToTorch(),
            Optimizers.Create(spec.Optimizer, spec.LearningRate, spec.Momentum), (ulong)spec.Seed);
        _split = split;
        ListenForInputSubscribers(spec);
        _splitRunning = false;
        ResetSplitFedWait(newRun: true);
        _splitMembers = [];
        if (_defense is not null) Context.Stop(_defense);
        _defense = split.Defended
            ? Context.ActorOf(NoPeekDefense.Props(spec.RunId, _settings.WorkerId, split, (ulong)spec.Seed ^ (ulong)_settings.WorkerId.GetHashCode()), "defense")
            : null;
    }

    private void OnSplitStart(SplitStart start)
    {
        if (_spec is null || _splitClient is null || start.RunId != _spec.RunId)
        {
            StartRegistering();
            return;
        }
        Timers.Cancel("register");
        _splitServer = Sender;
        _fedRequired = start.Round;
        if (!start.Members.SequenceEqual(_splitMembers) || start.BatchSize != _splitBatchSize)
        {
            _splitMembers = start.Members;
            _splitBatchSize = start.BatchSize;
            var shard = Sharding.Assign(_trainSamples, _splitMembers, (ulong)_spec.Seed)[_settings.WorkerId];
            _splitClient.Assign(shard, _splitBatchSize);
        }
        if (_splitRunning) return;
        _splitRunning = true;
        SendNextBatch();
    }

    private void SendNextBatch()
    {
        if (!_splitRunning || _splitClient is null || _spec is null || _inFlight is not null) return;
        if (SplitFedHolds()) return;
        var batch = _splitClient.Forward();
        _inFlight = batch;
        _serverGradient = null;
        _defenseGradient = null;
        // The server answers each batch at once; a long silence means it is gone (then register again).
        Context.SetReceiveTimeout(TimeSpan.FromTicks(_settings.RegisterInterval.Ticks * 10));
        if (_defense is null) SendActivations(batch.Activations);
        else _defense.Tell(new DefendBatch(batch.Step, batch.Inputs, batch.InputWidth, batch.Activations, batch.ActivationWidth));
    }

    private void SendActivations(float[] activations)
    {
        var batch = _inFlight!;
        var tensors = new TensorSet(["activations"], [[batch.Samples, batch.ActivationWidth]], activations);
        SendInputs(batch); // to the inversion tap only, ahead of the activations it will reconstruct
        _transport.Send(_splitServer, new SplitTensors(_spec!.RunId, _settings.WorkerId, batch.Step, SplitPayload.Activations, tensors, batch.Labels), Self);
    }

    private void OnSplitTensors(SplitTensors message)
    {
        if (message.Kind != SplitPayload.ActivationGradient || _inFlight?.Step != message.Step) return;
        _serverGradient = message.Tensors.Values;
        TryFinishSplitStep();
    }

    private void TryFinishSplitStep()
    {
        if (_serverGradient is null || (_defense is not null && _defenseGradient is null)) return;
        var gradient = _serverGradient;
        if (_defenseGradient is { Length: > 0 } defense)
            for (var i = 0; i < gradient.Length; i++) gradient[i] += defense[i];
        _splitClient!.Backward(gradient);
        _inFlight = null;
        Self.Tell(NextSplitBatch.Instance); // through the mailbox: evaluation requests and stops get their turn
    }

    /// <summary>The split server went silent: drop the batch in flight and find the server again.</summary>
    private void AbandonSplitStep()
    {
        _splitRunning = false;
        _inFlight = null;
        _splitClient?.Abandon();
        ResetSplitFedWait(newRun: false);
    }

    private sealed class NextSplitBatch
    {
        public static readonly NextSplitBatch Instance = new();
    }
}
