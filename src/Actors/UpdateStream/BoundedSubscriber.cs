using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;

namespace ActorTrain.Actors.UpdateStream;

/// <summary>
/// Subscribes to a DistributedPubSub topic (e.g. <see cref="Protocol.UpdateTopics.For"/>) and hands its messages,
/// one at a time and in order, to a consumer child. Between the two sits a bounded inbox that drops the oldest
/// message when full and counts drops, so a slow subscriber never slows training: the subscriber does O(1) work
/// per message and never waits for the consumer.
/// </summary>
/// <remarks>
/// The consumer gets each message with the subscriber as sender and must reply <see cref="ConsumerReady"/> when it
/// has finished it. It may run on any dispatcher. A consumer that throws is stopped (not restarted: its message
/// would be lost and the subscriber would wait forever), and when the consumer stops, the subscriber stops too.
/// Any message other than this protocol's counts as a topic message.
/// </remarks>
public sealed class BoundedSubscriber : ReceiveActor, IWithUnboundedStash, IWithTimers
{
    private readonly string _topic;
    private readonly (string RunId, IActorRef Server)? _updates;
    private readonly bool _updatesOnly;
    private readonly bool _withWeights;
    private readonly string[]? _tensors;
    private IActorRef? _updatesFrom;
    private readonly Props _consumerProps;
    private readonly DropOldestQueue<object> _queue;
    private readonly IActorRef _mediator;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private IActorRef _consumer = ActorRefs.Nobody;
    private bool _consumerBusy;
    private long _received;
    private long _delivered;
    private long _withheld;
    private bool _demanded; // with weights: asked the server for an update that has not come yet

    public BoundedSubscriber(string topic, Props consumer, int capacity, (string RunId, IActorRef Server)? updates = null, bool updatesOnly = false,
        bool withWeights = false, string[]? tensors = null)
    {
        Validate(topic, consumer, capacity);
        _topic = topic;
        _updates = updates;
        _updatesOnly = updatesOnly;
        _withWeights = withWeights;
        _tensors = tensors;
        _consumerProps = consumer;
        _queue = new DropOldestQueue<object>(capacity);
        _mediator = DistributedPubSub.Get(Context.System).Mediator;
        Subscribing();
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// Props for a subscriber to everything a run publishes: the metadata and steps on its topic, and the worker
    /// updates with their tensors, which it asks the parameter server for (through <paramref name="parameterServer"/>,
    /// e.g. the singleton proxy) and asks again for when that server goes away.
    /// </summary>
    /// <param name="updatesOnly">Pass on the <see cref="Protocol.WorkerUpdate"/>s (or a split server's <see cref="Protocol.SplitTensors"/>) alone and ignore the topic's metadata (not counted).</param>
    /// <param name="withWeights">Ask for each update with the weights it was computed on (<see cref="Protocol.SubscribeUpdates.WithWeights"/>).</param>
    /// <param name="tensors">Ask for only these tensors of each update (<see cref="Protocol.SubscribeUpdates.Tensors"/>); null: all.</param>
    public static Props ForRun(string runId, IActorRef parameterServer, Props consumer, int capacity, bool updatesOnly = false, bool withWeights = false,
        string[]? tensors = null)
    {
        ArgumentNullException.ThrowIfNull(parameterServer);
        Validate(Protocol.UpdateTopics.For(runId), consumer, capacity);
        var updates = ((string RunId, IActorRef Server)?)(runId, parameterServer);
        return Akka.Actor.Props.Create(() => new BoundedSubscriber(Protocol.UpdateTopics.For(runId), consumer, capacity, updates, updatesOnly, withWeights, tensors));
    }

    /// <summary>Props for a subscriber to <paramref name="topic"/>.</summary>
    /// <param name="consumer">Props of the child that processes messages and replies <see cref="ConsumerReady"/>.</param>
    /// <param name="capacity">Most messages kept waiting for the consumer; at least 1.</param>
    /// <exception cref="ArgumentException">An empty topic, or <paramref name="capacity"/> below 1.</exception>
    public static Props Props(string topic, Props consumer, int capacity)
    {
        Validate(topic, consumer, capacity);
        return Akka.Actor.Props.Create(() => new BoundedSubscriber(topic, consumer, capacity));
    }

    private static void Validate(string topic, Props consumer, int capacity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(consumer);
        if (capacity < 1)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity,
                $"A bounded subscriber's capacity must be at least 1 message (got {capacity}).");
    }

    private SubscriberStats Stats => new(_received, _delivered, _queue.Dropped + _withheld, _queue.Count);

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);

    protected override void PreStart()
    {
        _consumer = Context.Watch(Context.ActorOf(_consumerProps, "consumer"));
        _mediator.Tell(new Subscribe(_topic, Self));
        if (_updates is not null) Timers.StartPeriodicTimer("subscribe-updates", AskForUpdates.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    protected override void PostStop() => _mediator.Tell(new Unsubscribe(_topic, Self));

    private void Subscribing()
    {
        Receive<SubscribeAck>(_ =>
        {
            _log.Debug("Subscribed to {0} (capacity {1}).", _topic, _queue.Capacity);
            Become(Subscribed);
            Stash.UnstashAll();
        });
        Receive<Terminated>(OnTerminated);
        ReceiveAny(_ => Stash.Stash());
    }

    private void Subscribed()
    {
        Receive<AskForUpdates>(_ => _updates?.Server.Tell(new Protocol.SubscribeUpdates(_updates.Value.RunId, _withWeights, _tensors)));
        Receive<Protocol.UpdatesSubscribed>(_ =>
        {
            Timers.Cancel("subscribe-updates");
            if (Sender.Equals(_updatesFrom)) return;
            _updatesFrom = Context.Watch(Sender);
            _log.Debug("Receiving the updates of run {0} from {1}.", _updates?.RunId, Sender);
            _demanded = false; // a new server knows no earlier demand
            AskForNextIfIdle();
        });
        Receive<Protocol.UpdateWithheld>(_ =>
        {
            // An accepted update the server did not send (we asked for none): seen, and dropped.
            _received++;
            _withheld++;
        });
        Receive<ConsumerReady>(_ => OnConsumerReady());
        Receive<Protocol.RunFinished>(finished =>
        {
            Context.Parent.Forward(finished); // the owner decides when to stop
            if (!_updatesOnly) OnPublished(finished);
        });
        Receive<GetSubscriberStats>(_ => Sender.Tell(Stats));
        Receive<ToConsumer>(m => _consumer.Forward(m.Message));
        Receive<Terminated>(OnTerminated);
        ReceiveAny(OnPublished);
    }

    private void OnPublished(object message)
    {
        if (message is Protocol.SplitTensors { Kind: Protocol.SplitPayload.ClientWeights })
        {
            // A split server's client-weight snapshot is rare and everything after it depends on it: it bypasses the
            // queue (never dropped, not counted) and the consumer must not answer it with ConsumerReady.
            _consumer.Tell(message, Self);
            return;
        }
        if (_updatesOnly && message is not (Protocol.WorkerUpdate or Protocol.SplitTensors)) return;
        if (message is Protocol.WorkerUpdate) _demanded = false;
        _received++;
        if (!_consumerBusy)
            Deliver(message);
        else if (_queue.Enqueue(message) && _queue.Dropped == 1)
            _log.Warning("The consumer of {0} falls behind: dropping the oldest messages (capacity {1}).", _topic, _queue.Capacity);
    }

    private void OnConsumerReady()
    {
        // Only the consumer's reply to the message it has frees it; anything else would double its load.
        if (!_consumerBusy || !Sender.Equals(_consumer)) return;
        _consumerBusy = false;
        if (_queue.TryDequeue(out var next)) Deliver(next);
        else AskForNextIfIdle();
    }

    /// <summary>
    /// With weights, updates come only as asked for (<see cref="Protocol.UpdateDemand"/>): one at a time, when the
    /// consumer is free, so the server copies the model only for an update that will be attacked, and the one it sends
    /// is the newest accepted after the consumer finished the last.
    /// </summary>
    private void AskForNextIfIdle()
    {
        if (!_withWeights || _demanded || _consumerBusy || _queue.Count > 0 || _updatesFrom is null || _updates is not { } updates) return;
        _updatesFrom.Tell(new Protocol.UpdateDemand(updates.RunId, 1));
        _demanded = true;
    }

    private void Deliver(object message)
    {
        _consumer.Tell(message, Self);
        _consumerBusy = true;
        _delivered++;
    }

    private void OnTerminated(Terminated terminated)
    {
        if (terminated.ActorRef.Equals(_updatesFrom))
        {
            // The parameter server stopped or moved: ask again until its successor answers.
            _updatesFrom = null;
            Timers.StartPeriodicTimer("subscribe-updates", AskForUpdates.Instance, TimeSpan.Zero, TimeSpan.FromSeconds(2));
            return;
        }
        var stats = Stats;
        _log.Warning("The consumer of {0} stopped; stopping its subscriber (received {1}, delivered {2}, dropped {3}, queued {4}).",
            _topic, stats.Received, stats.Delivered, stats.Dropped, stats.Queued);
        Context.Stop(Self);
    }

    private sealed class AskForUpdates
    {
        public static readonly AskForUpdates Instance = new();
    }
}
