using ActorTrain.Actors.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.UpdateStream;

/// <summary>
/// The actors subscribed (<see cref="SubscribeUpdates"/>) to what a server streams for its run: the parameter
/// server's updates, the split server's activations. Each is admitted once, watched, acknowledged, and told at once
/// when the run has already finished; a subscription for another run is refused with a logged reason.
/// </summary>
/// <param name="stream">What is streamed, for the logs ("updates", "activations").</param>
/// <param name="server">Who streams it, for the logs ("parameter server", "split server").</param>
public sealed class StreamSubscribers(string runId, string stream, string server)
{
    private readonly HashSet<IActorRef> _actors = [];
    private readonly Dictionary<IActorRef, int> _withWeights = []; // → credit: updates it asked for and has not been sent
    private readonly Dictionary<IActorRef, string[]> _tensors = []; // subscribers that want only some tensors of each update

    public int Count => _actors.Count;

    public IEnumerable<IActorRef> All => _actors;

    /// <summary>Whether some subscriber asked for the weights behind each update (<see cref="SubscribeUpdates.WithWeights"/>).</summary>
    public bool AnyWantWeights => _withWeights.Count > 0;

    public bool WantsWeights(IActorRef subscriber) => _withWeights.ContainsKey(subscriber);

    /// <summary>The tensors <paramref name="subscriber"/> asked for (<see cref="SubscribeUpdates.Tensors"/>), or null for all.</summary>
    public string[]? TensorsWanted(IActorRef subscriber) => _tensors.GetValueOrDefault(subscriber);

    /// <summary>A subscriber that asked for weights wants <see cref="UpdateDemand.Count"/> more updates (ignored from anyone else).</summary>
    public void Demand(IActorRef subscriber, UpdateDemand demand)
    {
        if (demand.RunId == runId && demand.Count > 0 && _withWeights.TryGetValue(subscriber, out var credit))
            _withWeights[subscriber] = (int)Math.Min(int.MaxValue, (long)credit + demand.Count);
    }

    /// <summary>Takes one update of <paramref name="subscriber"/>'s credit.</summary>
    /// <returns>Whether it had credit left (then send it the update; otherwise an <see cref="UpdateWithheld"/>).</returns>
    public bool TakeCredit(IActorRef subscriber)
    {
        if (_withWeights.GetValueOrDefault(subscriber) <= 0) return false;
        _withWeights[subscriber]--;
        return true;
    }

    /// <param name="finishedAt">The run's final step when it has finished; null while it trains.</param>
    public void Subscribe(SubscribeUpdates subscribe, IActorRef sender, IActorContext context, ILoggingAdapter log, long? finishedAt)
    {
        if (subscribe.RunId != runId)
        {
            log.Warning("Ignoring {0}: it subscribed to the {1} of run '{2}', but this {3} trains run '{4}'.", sender, stream, subscribe.RunId, server, runId);
            return;
        }
        if (_actors.Add(sender))
        {
            context.Watch(sender);
            log.Info("{0} subscribed to the {1} of run {2}{3}{4}.", sender, stream, runId, subscribe.WithWeights ? ", with the weights behind each" : "",
                subscribe.Tensors is { Length: > 0 } only ? $", only {string.Join(", ", only)}" : "");
        }
        // Asked again (e.g. its answer crossed a second request): its credit stands.
        if (subscribe.WithWeights) _withWeights.TryAdd(sender, 0);
        else _withWeights.Remove(sender);
        if (subscribe.Tensors is { Length: > 0 } tensors) _tensors[sender] = tensors;
        else _tensors.Remove(sender);
        sender.Tell(new UpdatesSubscribed(runId));
        if (finishedAt is { } step) sender.Tell(new RunFinished(runId, step));
    }

    public void TellFinished(long step)
    {
        foreach (var subscriber in _actors) subscriber.Tell(new RunFinished(runId, step));
    }

    /// <returns>Whether <paramref name="actor"/> was a subscriber (then it is forgotten).</returns>
    public bool Remove(IActorRef actor)
    {
        _withWeights.Remove(actor);
        _tensors.Remove(actor);
        return _actors.Remove(actor);
    }
}
