using ActorTrain.Actors.UpdateStream;
using Akka.Actor;

namespace ActorTrain.Actors.Tests.UpdateStream;

/// <summary>
/// Tells the probe each message, then blocks its thread until the release task completes
/// before replying <see cref="ConsumerReady"/>: a consumer as slow as the test wants.
/// </summary>
internal sealed class RecordingConsumer : ReceiveActor
{
    public RecordingConsumer(IActorRef probe, Task release) =>
        ReceiveAny(message =>
        {
            probe.Tell(message);
            release.Wait();
            Sender.Tell(ConsumerReady.Instance);
        });
}

/// <summary>Throws on its first message.</summary>
internal sealed class FailingConsumer : ReceiveActor
{
    public FailingConsumer() => ReceiveAny(_ => throw new InvalidOperationException("consumer failed (expected by the test)"));
}
