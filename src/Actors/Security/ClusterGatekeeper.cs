using ActorTrain.Actors.Protocol;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace ActorTrain.Actors.Security;

/// <summary>
/// One per node (/user/gatekeeper) when the cluster has a secret. It challenges every other member that comes up
/// (<see cref="AuthenticationChallenge"/>, repeated each second until answered) and records those whose
/// <see cref="AuthenticationProof"/> holds in <see cref="ClusterAuthentication"/>; it answers the challenges of others.
/// Only the gatekeeper on the oldest member downs: a member whose proof is wrong, or that stays silent for the
/// authentication timeout. So the oldest member's secret is the cluster's (start the parameter server first), and
/// a newcomer with a wrong secret cannot down the members that refuse it; it only refuses them service. When the
/// oldest member leaves, the next oldest has checked everyone itself and takes over.
/// </summary>
public sealed class ClusterGatekeeper : ReceiveActor, IWithTimers
{
    public const string Name = "gatekeeper";
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    private readonly byte[] _secret;
    private readonly TimeSpan _timeout;
    private readonly Cluster _cluster;
    private readonly ClusterAuthentication _authentication;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<Address, Member> _up = new();
    private readonly Dictionary<Address, (byte[] Nonce, DateTime Deadline)> _pending = new();
    private readonly Dictionary<Address, string> _refused = new();
    private readonly HashSet<Address> _downed = new();

    public ClusterGatekeeper(byte[] secret, TimeSpan timeout)
    {
        _secret = secret;
        _timeout = timeout;
        _cluster = Cluster.Get(Context.System);
        _authentication = ClusterAuthentication.For(Context.System);

        Receive<ClusterEvent.MemberUp>(e => OnUp(e.Member));
        Receive<ClusterEvent.MemberRemoved>(e => OnRemoved(e.Member.Address));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<AuthenticationChallenge>(c => Sender.Tell(new AuthenticationProof(c.Nonce,
            SecretProof.Compute(_secret, c.Nonce, _cluster.SelfAddress, Sender.Path.Address))));
        Receive<AuthenticationProof>(OnProof);
        Receive<AuthenticationRefused>(r => _log.Error(
            "Member {0} refused this node's cluster secret ({1}): this node gets no work and is downed. Is --cluster-secret-file " +
            "(or ACTORTRAIN_CLUSTER_SECRET) the cluster's?", Sender.Path.Address, r.Reason));
        Receive<Tick>(_ => OnTick());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(byte[] secret, TimeSpan timeout) => Akka.Actor.Props.Create(() => new ClusterGatekeeper(secret, timeout));

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent));
        Timers.StartPeriodicTimer("tick", Tick.Instance, RetryInterval);
    }

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    /// <summary>Whether this node is the oldest up member, the one that downs.</summary>
    private bool IsOldest => _up.TryGetValue(_cluster.SelfAddress, out var self) && _up.Values.All(m => m == self || self.IsOlderThan(m));

    private void OnUp(Member member)
    {
        _up[member.Address] = member;
        if (member.Address == _cluster.SelfAddress || _authentication.IsAuthenticated(member.Address)) return;
        _pending[member.Address] = (SecretProof.NewNonce(), DateTime.UtcNow + _timeout);
        Challenge(member.Address);
    }

    private void OnRemoved(Address address)
    {
        _up.Remove(address);
        _pending.Remove(address);
        _refused.Remove(address);
        _downed.Remove(address);
        _authentication.Revoke(address);
    }

    private void Challenge(Address address) =>
        Context.ActorSelection(new RootActorPath(address) / "user" / Name).Tell(new AuthenticationChallenge(_pending[address].Nonce));

    private void OnProof(AuthenticationProof proof)
    {
        var address = Sender.Path.Address;
        // Only an answer to the challenge outstanding for that member counts: an old or replayed proof is ignored.
        if (!_pending.TryGetValue(address, out var pending) || !proof.Nonce.AsSpan().SequenceEqual(pending.Nonce)) return;
        _pending.Remove(address);
        if (SecretProof.Verify(_secret, pending.Nonce, address, _cluster.SelfAddress, proof.Mac))
        {
            _authentication.Admit(address);
            _log.Info("Member {0} proved the cluster secret.", address);
            return;
        }
        Sender.Tell(new AuthenticationRefused("its proof does not match this node's secret"));
        Refuse(address, "it proved another cluster secret");
    }

    private void OnTick()
    {
        var now = DateTime.UtcNow;
        foreach (var (address, pending) in _pending.ToArray())
        {
            if (now < pending.Deadline)
            {
                Challenge(address);
                continue;
            }
            _pending.Remove(address);
            Refuse(address, $"it did not prove the cluster secret within {_timeout.TotalSeconds:F0} s");
        }
        // A member refused before this node became the oldest is downed now.
        if (IsOldest)
            foreach (var (address, reason) in _refused)
                Down(address, reason);
    }

    private void Refuse(Address address, string reason)
    {
        _refused[address] = reason;
        if (IsOldest) Down(address, reason);
        else _log.Warning("Member {0} is not served: {1}. The oldest member downs it.", address, reason);
    }

    private void Down(Address address, string reason)
    {
        if (!_up.ContainsKey(address) || !_downed.Add(address)) return;
        _log.Error("Downing {0}: {1}.", address, reason);
        _cluster.Down(address);
    }

    private sealed class Tick
    {
        public static Tick Instance { get; } = new();
    }
}
