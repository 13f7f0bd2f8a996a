using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.UpdateStream;

/// <summary>
/// Consumer → <see cref="BoundedSubscriber"/>: "I finished the message you sent me; send the next". Reply it to
/// the sender of each message, once per message.
/// </summary>
public sealed record ConsumerReady : IControlMessage
{
    public static ConsumerReady Instance { get; } = new();
}

/// <summary>
/// Anyone → <see cref="BoundedSubscriber"/>: hand <paramref name="Message"/> to the consumer now, outside the queue,
/// with the original sender (e.g. a question for the consumer; the consumer's reply goes straight back).
/// </summary>
public sealed record ToConsumer(object Message) : IControlMessage;

/// <summary>
/// Anyone → <see cref="BoundedSubscriber"/>: answered with <see cref="SubscriberStats"/>. The subscriber answers
/// only once its subscription is acknowledged, so a first answer also means it is receiving the topic.
/// </summary>
public sealed record GetSubscriberStats : IControlMessage
{
    public static GetSubscriberStats Instance { get; } = new();
}

/// <summary>
/// A <see cref="BoundedSubscriber"/>'s counts since it started. Every received message is exactly one of:
/// delivered, queued or dropped, so <c>Received == Delivered + Queued + Dropped</c>.
/// </summary>
/// <param name="Received">Messages that arrived from the topic.</param>
/// <param name="Delivered">Messages handed to the consumer (including the one it may be working on).</param>
/// <param name="Dropped">Oldest queued messages dropped to make room for newer ones.</param>
/// <param name="Queued">Messages waiting for the consumer now; at most the subscriber's capacity.</param>
public sealed record SubscriberStats(long Received, long Delivered, long Dropped, int Queued) : IControlMessage;
