namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// The parameter server's journal holds a step or snapshot it cannot use (undecodable, out of sequence, or for
/// another model). The server refuses to start rather than drop or guess state; restarting cannot help.
/// </summary>
public sealed class CorruptJournalException(string persistenceId, long sequenceNr, string message) : InvalidOperationException(message)
{
    public string PersistenceId { get; } = persistenceId;

    /// <summary>Sequence number of the event (or the snapshot's) that cannot be used.</summary>
    public long SequenceNr { get; } = sequenceNr;
}
