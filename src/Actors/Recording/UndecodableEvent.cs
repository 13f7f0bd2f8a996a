namespace ActorTrain.Actors.Recording;

/// <summary>
/// What the journal hands back in place of a stored event or snapshot that cannot be decoded (a failed checksum,
/// a truncated or garbled row). Returned rather than thrown, so the reader learns the event's sequence number and
/// decides: the parameter server refuses to start; an offline reader can report the event and skip it.
/// Never sent or stored itself.
/// </summary>
/// <param name="Manifest">The stored manifest ("committed", "snapshot" or "captured").</param>
/// <param name="Length">Bytes stored.</param>
/// <param name="Reason">Why decoding failed.</param>
public sealed record UndecodableEvent(string Manifest, int Length, string Reason);
