using Akka.Actor;
using Akka.Configuration;
using Akka.Pattern;

namespace ActorTrain.Actors.ParameterServer;

/// <summary>
/// How a journaled actor comes back after its journal failed. Akka.Persistence stops an actor whose write or
/// recovery failed; a <see cref="BackoffSupervisor"/> starts it again after <see cref="Min"/>, 2·min, 4·min, ...
/// capped at <see cref="Max"/> (each delay stretched by up to <see cref="RandomFactor"/>), so a database that is
/// gone is retried without being hammered, and the actor recovers from snapshot and journal when it is back.
/// Config: actortrain.persistence.restart-backoff (hocon/cluster.conf).
/// </summary>
/// <param name="Min">First delay.</param>
/// <param name="Max">Longest delay: how long, at most, a recovered database waits for the next attempt.</param>
/// <param name="RandomFactor">Jitter: each delay is multiplied by 1 + a random number in [0, factor).</param>
public sealed record RestartBackoff(TimeSpan Min, TimeSpan Max, double RandomFactor)
{
    public static RestartBackoff From(Config config)
    {
        const string at = "actortrain.persistence.restart-backoff";
        var backoff = new RestartBackoff(
            config.GetTimeSpan($"{at}.min", TimeSpan.FromSeconds(1)),
            config.GetTimeSpan($"{at}.max", TimeSpan.FromSeconds(10)),
            config.GetDouble($"{at}.random-factor", 0.2));
        if (backoff.Min <= TimeSpan.Zero || backoff.Max < backoff.Min || backoff.RandomFactor is < 0 or > 1)
            throw new ConfigurationException($"{at}: need 0 < min <= max and 0 <= random-factor <= 1 (got {backoff}).");
        return backoff;
    }

    /// <summary>A supervisor that runs <paramref name="child"/> as <paramref name="childName"/> and restarts it with backoff whenever it stops.</summary>
    /// <param name="replyWhileStopped">Told to the sender of each message that arrives while the child is down; null: the message goes to dead letters.</param>
    public Props Supervise(Props child, string childName, object? replyWhileStopped = null)
    {
        var options = Backoff.OnStop(child, childName, Min, Max, RandomFactor, maxNrOfRetries: -1); // -1: until it works
        return BackoffSupervisor.Props(replyWhileStopped is null ? options : options.WithReplyWhileStopped(replyWhileStopped));
    }

    public override string ToString() => $"{Min.TotalSeconds:0.###} s doubling to {Max.TotalSeconds:0.###} s, jitter {RandomFactor:0.##}";
}
