using ActorTrain.Actors.Protocol;
using ActorTrain.Tensors.Split;
using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;

namespace ActorTrain.Actors.Workers;

/// <summary>
/// Experiments only (<see cref="RunSpec.RecordInputs"/>): a split client also sends each batch's raw inputs to the
/// inversion taps that asked (<see cref="SubscribeInputs"/>), so they can score their reconstructions. The inputs go to
/// those taps alone, never to the split server.
/// </summary>
public sealed partial class WorkerActor
{
    private readonly HashSet<IActorRef> _inputSubscribers = [];
    private string? _inputRequestsTopic;

    private void ReceiveInputSubscriptions()
    {
        Receive<SubscribeInputs>(s =>
        {
            if (_spec is { RecordInputs: true, Split: not null } && s.RunId == _spec.RunId) _inputSubscribers.Add(Sender);
        });
        Receive<SubscribeAck>(_ => { });
    }

    /// <summary>Listens for <see cref="SubscribeInputs"/> when the run records inputs.</summary>
    private void ListenForInputSubscribers(RunSpec spec)
    {
        var topic = spec.RecordInputs ? InversionTopics.InputRequests(spec.RunId) : null;
        if (topic == _inputRequestsTopic) return;
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        if (_inputRequestsTopic is not null) mediator.Tell(new Unsubscribe(_inputRequestsTopic, Self));
        _inputSubscribers.Clear();
        _inputRequestsTopic = topic;
        if (topic is not null) mediator.Tell(new Subscribe(topic, Self));
    }

    private void SendInputs(ClientBatch batch)
    {
        if (_inputSubscribers.Count == 0 || _spec is not { RecordInputs: true }) return;
        var inputs = new SplitTensors(_spec.RunId, _settings.WorkerId, batch.Step, SplitPayload.Inputs,
            new TensorSet(["inputs"], [[batch.Samples, batch.InputWidth]], batch.Inputs));
        foreach (var subscriber in _inputSubscribers) _transport.Send(subscriber, inputs, Self);
    }
}
