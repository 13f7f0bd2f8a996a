using ActorTrain.Actors.Protocol;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>A registered worker as the parameter server sees it.</summary>
public sealed class RosterEntry(IActorRef actor, string id, string device)
{
    public IActorRef Actor { get; } = actor;

    public string Id { get; } = id;

    public string Device { get; } = device;

    /// <summary>Has loaded the run's data and model (sent <see cref="Protocol.WorkerReady"/>).</summary>
    public bool Ready { get; set; }

    /// <summary>Excluded from barriers and shards (silent in a step, or its node unreachable) until it reports again.</summary>
    public bool Suspended { get; set; }

    /// <summary>When the last step order went to this worker (UTC).</summary>
    public DateTime LastOrderAt { get; set; } = DateTime.MinValue;
}

/// <summary>The workers a parameter server knows, by actor.</summary>
public sealed class WorkerRoster
{
    private readonly Dictionary<IActorRef, RosterEntry> _entries = new();

    public int Count => _entries.Count;

    public int ReadyCount => _entries.Values.Count(e => e.Ready);

    public IEnumerable<RosterEntry> All => _entries.Values;

    /// <summary>Workers that take part in steps, ordered by id.</summary>
    public IReadOnlyList<RosterEntry> Active => _entries.Values.Where(e => e.Ready && !e.Suspended).OrderBy(e => e.Id, StringComparer.Ordinal).ToArray();

    public RosterEntry? Find(IActorRef actor) => _entries.GetValueOrDefault(actor);

    public bool IdTakenByOther(string id, IActorRef actor) => _entries.Values.Any(e => e.Id == id && !e.Actor.Equals(actor));

    public RosterEntry Add(IActorRef actor, string id, string device) => _entries[actor] = new RosterEntry(actor, id, device);

    /// <summary>
    /// A registration: the entry of a known worker, a new entry (<paramref name="added"/>), or null when another live
    /// worker already uses the id (refuse it).
    /// </summary>
    public RosterEntry? Admit(IActorRef actor, string id, string device, out bool added)
    {
        added = false;
        if (Find(actor) is { } known) return known;
        if (IdTakenByOther(id, actor)) return null;
        added = true;
        return Add(actor, id, device);
    }

    /// <summary>
    /// A server's answer to <see cref="RegisterWorker"/>: <see cref="RunFinished"/> once the run is over, a logged refusal
    /// when another live member uses the id, else the member is admitted (watched, logged when new) and welcomed.
    /// </summary>
    /// <param name="member">What the server calls its members in logs: "worker" or "client".</param>
    /// <param name="finishedAt">The run's final step when it has finished; null while it trains.</param>
    public void Register(RegisterWorker register, IActorRef sender, RunSpec spec, long? finishedAt, IActorContext context, ILoggingAdapter log,
        string member)
    {
        if (finishedAt is { } step)
        {
            sender.Tell(new RunFinished(spec.RunId, step));
            return;
        }
        if (Admit(sender, register.WorkerId, register.Device, out var added) is null)
        {
            log.Warning("Refusing {0} {1} at {2}: another live {0} already uses that id.", member, register.WorkerId, sender);
            return;
        }
        if (added)
        {
            context.Watch(sender);
            log.Info("{0} {1} ({2}) joined; {3} registered.", char.ToUpperInvariant(member[0]) + member[1..], register.WorkerId, register.Device, Count);
        }
        sender.Tell(new Welcome(spec));
    }

    /// <summary>The entry a <see cref="WorkerReady"/> speaks for; null for an unknown sender or another run (logged).</summary>
    /// <param name="server">What the server is, for the log: "parameter server" or "split server".</param>
    public RosterEntry? ReadyFor(WorkerReady ready, IActorRef sender, string runId, ILoggingAdapter log, string member, string server)
    {
        if (ready.RunId == runId) return Find(sender);
        log.Warning("Ignoring {0} {1} at {2}: it is ready for run '{3}', but this {4} trains run '{5}'.",
            member, ready.WorkerId, sender.Path.Address, ready.RunId, server, runId);
        return null;
    }

    public bool Remove(IActorRef actor) => _entries.Remove(actor);

    public IReadOnlyList<RosterEntry> At(Address address) => _entries.Values.Where(e => e.Actor.Path.Address.Equals(address)).ToArray();
}
