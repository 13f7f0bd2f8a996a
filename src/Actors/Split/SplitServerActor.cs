using System.Diagnostics;
using ActorTrain.Actors.ParameterServer;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Transport;
using ActorTrain.Tensors.Models;
using ActorTrain.Tensors.Split;
using ActorTrain.Tensors.Training;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Split;

/// <summary>
/// The split server (role split-server; it runs where the parameter server would, as the cluster singleton): owns
/// the layers after the cut and the loss. Clients register as workers do; once enough are ready each gets
/// <see cref="SplitStart"/> and then sends the activations of one batch at a time. For each, the server steps
/// its segment and returns ∂L/∂Z. It never receives raw inputs. Test accuracy is measured with a client's segment
/// weights, which it asks for at evaluation points (<see cref="SplitEvaluate"/>); with SplitFed, with the clients'
/// average (SplitServerActor.SplitFed.cs).
/// </summary>
public sealed partial class SplitServerActor : ReceiveActor
{
    private readonly ParameterServerSetup _setup;
    private readonly SplitSpec _split;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TensorTransport _transport;
    private readonly WorkerRoster _roster = new();
    private readonly SplitServer _server;
    private readonly List<CurvePoint> _losses = [];
    private readonly List<CurvePoint> _accuracies = [];
    private readonly Stopwatch _training = new();
    private readonly StepLog _stepLog;
    private readonly Security.SecretGate _gate;
    private long _steps;
    private long _samples;
    private long _rejected;
    private bool _started;
    private bool _finishing;
    private bool _finished;
    private readonly DivergenceWatch _divergence = new();
    private long _lastEvaluated = -1;

    public SplitServerActor(ParameterServerSetup setup)
    {
        _setup = setup;
        _split = setup.Spec.Split ?? throw new ArgumentException("A split server needs a run with a cut (RunSpec.Split).");
        _streamSubscribers = new UpdateStream.StreamSubscribers(setup.Spec.RunId, "activations", "split server");
        _transport = TensorTransport.For(Context.System);
        if (setup.Threads > 0) TorchSharp.torch.set_num_threads(setup.Threads);
        var model = new ModelSpec(setup.Spec.Model, setup.Test.SampleShape, setup.Test.ClassCount, setup.Spec.Hidden).Build(setup.Spec.Seed);
        _server = new SplitServer(model, _split.Cut, setup.Test.SampleShape,
            Optimizers.Create(setup.Spec.Optimizer, setup.Spec.LearningRate, setup.Spec.Momentum));
        _stepLog = new StepLog(setup.StepLogPath);
        _gate = new Security.SecretGate(Context.System, _log);
        Receive<RegisterWorker>(r => { if (_gate.Admits(Sender)) Register(r); });
        Receive<WorkerReady>(OnReady);
        Receive<SplitTensors>(t => { if (_gate.Admits(Sender)) OnTensors(t); });
        Receive<GetRunSpec>(_ => { if (_gate.Admits(Sender)) Sender.Tell(_setup.Spec); });
        Receive<GetServerStatus>(_ => Sender.Tell(new ServerStatus(_setup.Spec.RunId, _steps, _roster.Count, _roster.Active.Count, 0, _rejected, _finished)));
        ReceiveSplitFed();
        ReceiveStreamSubscriptions();
        ReceiveDefenseMeasurements();
        Receive<Terminated>(t => { if (!ForgetStreamSubscriber(t.ActorRef)) Forget(t.ActorRef); });
    }

    public static Props Props(ParameterServerSetup setup) => Akka.Actor.Props.Create(() => new SplitServerActor(setup));

    private int ClientBatchSize(int clients) => Math.Max(1, (_setup.Spec.GlobalBatchSize + clients - 1) / clients);

    private long SampleBudget => (long)_setup.Epochs * _setup.TrainSamples;

    private bool BudgetSpent => _setup.Steps is { } steps ? _steps >= steps : _samples >= SampleBudget;

    protected override void PreStart()
    {
        SubscribeToDefenseMeasurements();
        _log.Info("Split server for run {0}: layers after '{1}' ({2} parameters; activations of {3} values per sample), waiting for {4} client(s).",
            _setup.Spec.RunId, _split.Cut, _server.Layout.TotalLength, _server.ActivationWidth, _setup.MinWorkers);
    }

    protected override void PostStop()
    {
        _stepLog.Dispose();
        _server.Dispose();
    }

    private void Register(RegisterWorker register) =>
        _roster.Register(register, Sender, _setup.Spec, _finished ? _steps : null, Context, _log, "client");

    private void OnReady(WorkerReady ready)
    {
        var entry = _roster.ReadyFor(ready, Sender, _setup.Spec.RunId, _log, "client", "split server");
        if (_finished || entry is null) return;
        var wasReady = entry.Ready;
        entry.Ready = true;
        SendLatestAverage(entry);
        if (!_started && _roster.ReadyCount < _setup.MinWorkers) return;
        if (!_started)
        {
            _started = true;
            _training.Start();
            _log.Info("Run {0}: split training starts with {1} client(s).", _setup.Spec.RunId, _roster.ReadyCount);
        }
        if (!wasReady || _roster.ReadyCount >= _setup.MinWorkers) Reshard();
    }

    /// <summary>Every ready client learns the current members (its shard) and batch size.</summary>
    private void Reshard()
    {
        var members = _roster.Active.Select(m => m.Id).ToArray();
        var start = new SplitStart(_setup.Spec.RunId, members, ClientBatchSize(members.Length), _fedAveragedRound);
        foreach (var client in _roster.Active) client.Actor.Tell(start);
    }

    private void OnTensors(SplitTensors message)
    {
        var client = _roster.Find(Sender);
        if (client is null || client.Id != message.WorkerId || message.RunId != _setup.Spec.RunId)
        {
            _rejected++;
            if (message.RunId != _setup.Spec.RunId)
                _log.Warning("Ignoring split tensors from client '{0}' at {1}: they are for run '{2}', but this split server trains run '{3}'.",
                    message.WorkerId, Sender.Path.Address, message.RunId, _setup.Spec.RunId);
            else
                _log.Warning("Ignoring split tensors from unknown client '{0}' at {1}.", message.WorkerId, Sender.Path.Address);
            return;
        }
        if (message.Kind == SplitPayload.ClientWeights)
        {
            PublishToStream(message);
            Evaluate(message.Tensors.Values);
            return;
        }
        if (message.Kind != SplitPayload.Activations) return;
        if (_finishing || _finished)
        {
            // SplitFed's last round waits for this client's segment: it drops the batch and reports.
            if (SplitFedOn && !_finished) Sender.Tell(new SplitBatchDropped(_setup.Spec.RunId, message.Step));
            else Sender.Tell(new RunFinished(_setup.Spec.RunId, _steps));
            return;
        }
        ServerStep step;
        try
        {
            step = _server.Step(message.Tensors.Values, message.Labels ?? []);
        }
        catch (Exception e) when (e is ArgumentException or NonFiniteValueException)
        {
            _rejected++;
            _log.Warning("Rejected activations of client {0} for its step {1}: {2}", message.WorkerId, message.Step, e.Message);
            if (e is NonFiniteValueException && _divergence.Record(message.WorkerId, _steps, e.Message, DivergenceWatch.LimitFor(_roster.Count)))
                Fail(_divergence.Verdict!);
            return; // the client re-registers after its receive timeout and starts again
        }
        _divergence.Accepted();
        _transport.Send(Sender, new SplitTensors(_setup.Spec.RunId, message.WorkerId, message.Step, SplitPayload.ActivationGradient,
            new TensorSet(["activations"], message.Tensors.Shapes, step.ActivationGradient), Loss: step.Loss), Self);
        PublishToStream(message);
        _steps++;
        var samples = message.Labels?.Length ?? 0;
        _samples += samples;
        _losses.Add(new CurvePoint((int)_steps, step.Loss));
        _stepLog.Write(_steps, [message.WorkerId], samples, step.Loss, _rejected);
        if (SplitFedOn)
        {
            AfterSplitFedStep();
        }
        else if (BudgetSpent)
        {
            _finishing = true;
            Sender.Tell(new SplitEvaluate(_setup.Spec.RunId)); // the final accuracy, then Finish
        }
        else if (_steps % EvaluateEvery == 0)
        {
            Sender.Tell(new SplitEvaluate(_setup.Spec.RunId));
        }
        _setup.Progress?.Report(new TrainingProgress((int)_steps, (int)Math.Max(_steps, EstimatedSteps), CurrentEpoch, step.Loss,
            _accuracies.Count > 0 && _accuracies[^1].Step == _steps ? _accuracies[^1].Value : null,
            _samples / Math.Max(_training.Elapsed.TotalSeconds, 1e-9)));
    }

    private long EvaluateEvery => Math.Max(1, EstimatedSteps / Math.Max(1, _setup.EvaluationPoints));

    private int CurrentEpoch => (int)((_samples - 1) / Math.Max(1, _setup.TrainSamples)) + 1;

    private long EstimatedSteps
    {
        get
        {
            if (_setup.Steps is { } steps) return steps;
            var perStep = Math.Max(1, ClientBatchSize(Math.Max(1, _roster.ReadyCount)));
            return Math.Max(1, (SampleBudget + perStep - 1) / perStep);
        }
    }

    private void Evaluate(float[] clientWeights)
    {
        if (_lastEvaluated == _steps && !_finishing) return;
        _training.Stop();
        double accuracy;
        try
        {
            accuracy = _server.Accuracy(clientWeights, _setup.Test);
        }
        catch (ArgumentException e)
        {
            _log.Warning("Could not measure accuracy with the weights a client sent: {0}", e.Message);
            _training.Start();
            return;
        }
        _lastEvaluated = _steps;
        _accuracies.Add(new CurvePoint((int)_steps, accuracy));
        _training.Start();
        _log.Info("Run {0}: test accuracy {1:F4} after {2} steps.", _setup.Spec.RunId, accuracy, _steps);
        if (_finishing && !_finished) Finish();
    }

    private void Finish()
    {
        _finished = true;
        _training.Stop();
        foreach (var client in _roster.All) client.Actor.Tell(new RunFinished(_setup.Spec.RunId, _steps));
        FinishStream();
        _log.Info("Run {0} finished: {1} split steps, test accuracy {2:F4}.", _setup.Spec.RunId, _steps, _accuracies[^1].Value);
        _setup.OnFinished(new RunOutcome(_setup.Spec.RunId, _steps, _samples, _accuracies[^1].Value, _losses[^1].Value,
            _training.Elapsed.TotalSeconds, _rejected, new Dictionary<string, long>(), Math.Max(1, _roster.Count), _losses, _accuracies,
            _server.Weights()) { SplitFedRounds = SplitFedOn ? _fedRounds : null, Defense = _defense.Report(_split) });
    }

    /// <summary>Ends a diverged run: clients are told why and stop; the run's owner gets the reason.</summary>
    private void Fail(string reason)
    {
        _finished = true;
        _training.Stop();
        _log.Error("Run {0} failed: {1}", _setup.Spec.RunId, reason);
        foreach (var client in _roster.All) client.Actor.Tell(new RunFinished(_setup.Spec.RunId, _steps, reason));
        FinishStream();
        _setup.OnFailed?.Invoke(new NonFiniteValueException($"Run {_setup.Spec.RunId}: {reason}"));
    }

    private void Forget(IActorRef client)
    {
        var entry = _roster.Find(client);
        if (entry is null || !_roster.Remove(client)) return;
        if (_finished) return;
        _log.Warning("Client {0} left; {1} remain.", entry.Id, _roster.Count);
        SplitFedClientLeft(client);
        if (_roster.Active.Count > 0) Reshard();
    }
}
