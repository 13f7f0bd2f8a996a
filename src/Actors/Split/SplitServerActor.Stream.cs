using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.UpdateStream;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Split;

/// <summary>
/// The split server's stream, as the parameter server's update stream: actors that sent <see cref="SubscribeUpdates"/>
/// (the inversion tap's subscriber) get every activation batch the server accepted, exactly as it received it (after
/// any client-side noise), and every client-weight snapshot it received (a client's at evaluation points; with
/// SplitFed, each round's average, as worker <see cref="AveragedSegmentId"/>), through the tensor transport; and
/// <see cref="RunFinished"/> at the end. What they get is what the server sees: never raw inputs.
/// </summary>
public sealed partial class SplitServerActor
{
    /// <summary>The worker id of SplitFed's averaged segment on the stream (every client continues from it).</summary>
    public const string AveragedSegmentId = "splitfed-average";

    private readonly StreamSubscribers _streamSubscribers;

    private void ReceiveStreamSubscriptions() =>
        Receive<SubscribeUpdates>(s => { if (_gate.Admits(Sender)) _streamSubscribers.Subscribe(s, Sender, Context, _log, _finished ? _steps : null); });

    /// <summary>An accepted activation batch or a client-weight snapshot, to every subscriber.</summary>
    private void PublishToStream(SplitTensors message)
    {
        foreach (var subscriber in _streamSubscribers.All) _transport.Send(subscriber, message, Self);
    }

    private void FinishStream() => _streamSubscribers.TellFinished(_steps);

    /// <returns>Whether <paramref name="actor"/> was a stream subscriber (then it is forgotten).</returns>
    private bool ForgetStreamSubscriber(IActorRef actor) => _streamSubscribers.Remove(actor);
}
