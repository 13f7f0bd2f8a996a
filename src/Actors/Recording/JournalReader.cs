using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace ActorTrain.Actors.Recording;

/// <summary>A local actor system that reads a journal through Akka.Persistence.Query (for `runs` and `replay`).</summary>
public sealed class JournalReader : IAsyncDisposable
{
    private JournalReader(ActorSystem system)
    {
        System = system;
        Materializer = system.Materializer();
        Query = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(SqlReadJournal.Identifier);
    }

    public ActorSystem System { get; }

    public IMaterializer Materializer { get; }

    public SqlReadJournal Query { get; }

    /// <param name="journal">The journal's configuration (<see cref="Hosting.JournalConfig"/>).</param>
    public static JournalReader Open(Config journal, string name = "actortrain-reader")
    {
        var config = ConfigurationFactory.ParseString($$"""
                akka.loglevel = WARNING
                akka.stdout-loglevel = WARNING
                {{ComputeDispatcher.Id}}.type = PinnedDispatcher
                """)
            .WithFallback(journal).WithFallback(Serialization.SerializationConfig.Hocon);
        return new JournalReader(ActorSystem.Create(name, config));
    }

    /// <summary>Every stored persistence id.</summary>
    public async Task<IReadOnlyList<string>> StreamIds() =>
        await Query.CurrentPersistenceIds().RunWith(Sink.Seq<string>(), Materializer);

    /// <summary>The events of one stream, in order, as stored now.</summary>
    public Source<EventEnvelope, Akka.NotUsed> Events(string persistenceId, long fromSequenceNr = 0) =>
        Query.CurrentEventsByPersistenceId(persistenceId, fromSequenceNr, long.MaxValue);

    /// <summary>
    /// Hands every event of a stream to <paramref name="handle"/>, in order. Events the serializer cannot decode arrive
    /// as <see cref="UndecodableEvent"/>; a row the journal plugin itself cannot read fails its query, and is then
    /// reported through <paramref name="unreadable"/> (with its presumed sequence number) and skipped: reading resumes
    /// after it.
    /// </summary>
    public async Task ForEach(string persistenceId, Func<EventEnvelope, Task> handle, Action<long, Exception> unreadable, CancellationToken cancellation)
    {
        const int mostUnreadableInARow = 100; // beyond that it is the database, not a row
        var next = 1L;
        var failuresInARow = 0;
        while (true)
        {
            Exception? handlerFailure = null;
            try
            {
                await Events(persistenceId, next).SelectAsync(1, async envelope =>
                {
                    cancellation.ThrowIfCancellationRequested();
                    next = envelope.SequenceNr + 1;
                    failuresInARow = 0;
                    try
                    {
                        await handle(envelope);
                    }
                    catch (Exception e)
                    {
                        handlerFailure = e;
                        throw;
                    }
                    return Akka.Done.Instance;
                }).RunWith(Sink.Ignore<Akka.Done>(), Materializer);
                return;
            }
            catch (Exception e) when (handlerFailure is null && !cancellation.IsCancellationRequested && ++failuresInARow < mostUnreadableInARow)
            {
                unreadable(next, e.GetBaseException());
                next++;
            }
            catch when (handlerFailure is not null)
            {
                global::System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(handlerFailure).Throw();
            }
        }
    }

    public async Task<IReadOnlyList<EventEnvelope>> AllEvents(string persistenceId) =>
        await Events(persistenceId).RunWith(Sink.Seq<EventEnvelope>(), Materializer);

    public async ValueTask DisposeAsync() => await System.Terminate();
}
