using System.Collections.Concurrent;
using ActorTrain.Actors.Security;
using ActorTrain.Tensors.Wire;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// A node's data plane (docs/cluster.md, "Data plane"): large serialized tensor messages wait in this node's
/// <see cref="BlobStore"/> while only a <see cref="BlobHandle"/> crosses Akka.Remote; the receiving node fetches the bytes
/// over a pooled TCP connection to this node's data port, with the cluster's TLS and secret. Started by
/// <see cref="Hosting.ClusterRoles.StartTransport"/>; until then (and when disabled) <see cref="TryOffer"/> declines and
/// every message travels over Akka.
/// </summary>
public sealed class DataPlane : IExtension, IDisposable
{
    private readonly ExtendedActorSystem _system;
    private readonly ConcurrentDictionary<string, (string Host, int Port)> _peerEndpoints = new();
    private BlobPool? _pool;
    private BlobStore? _store;
    private DataPlaneServer? _server;
    private DataPlaneClient? _client;
    private Timer? _sweep;
    private long _failed;

    public DataPlane(ExtendedActorSystem system)
    {
        _system = system;
        Settings = DataPlaneSettings.From(system.Settings.Config);
        system.RegisterOnTermination(Dispose);
    }

    public DataPlaneSettings Settings { get; }

    /// <summary>True once <see cref="Start"/> ran with the data plane enabled: this node offers blobs.</summary>
    public bool IsRunning => _server is not null;

    /// <value>This node's data port; 0 before <see cref="Start"/>.</value>
    public int Port => _server?.Port ?? 0;

    public static DataPlane For(ActorSystem system) => system.WithExtension<DataPlane, DataPlaneProvider>();

    /// <summary>
    /// Opens the data port (when enabled) and the client that fetches from other nodes (always: a node that offers
    /// nothing still receives). A second call does nothing.
    /// </summary>
    public void Start(ClusterSecurity security)
    {
        lock (_peerEndpoints)
        {
            if (_client is not null) return;
            var log = Logging.GetLogger(_system, typeof(DataPlane));
            var protection = new DataPlaneSecurity(security);
            _pool = new BlobPool(Settings.PoolBytes);
            _client = new DataPlaneClient(Settings, protection, _pool);
            if (_system.Provider is Akka.Cluster.IClusterActorRefProvider)
                _system.SystemActorOf(Props.Create(() => new DataPlaneMembership(this)), "data-plane-membership");
            if (!Settings.Enabled) return;
            _store = new BlobStore(Settings.MaxHeldBytes, _pool);
            _server = new DataPlaneServer(Settings.BindHost, Settings.Port, _store, protection, Settings.Timeout, log);
            var period = TimeSpan.FromTicks(Math.Min(Settings.BlobTtl.Ticks / 4, TimeSpan.FromSeconds(5).Ticks));
            _sweep = new Timer(_ => SweepExpired(log), null, period, period);
        }
    }

    /// <summary>
    /// Holds <paramref name="bytes"/> for <paramref name="receiverNode"/> to fetch. Null when the data plane is not running
    /// or its store is full: the caller sends over Akka instead.
    /// </summary>
    public BlobHandle? TryOffer(byte[] bytes, Address receiverNode)
    {
        if (_store is null || _server is null) return null;
        var crc = Crc32C.Compute(bytes);
        var id = _store.TryAdd(bytes, receiverNode.ToString(), DateTime.UtcNow);
        return id is null ? null : new BlobHandle(_system.Provider.DefaultAddress.ToString(), Settings.PublicHost, _server.Port, id.Value, bytes.LongLength, crc);
    }

    /// <summary>Fetches and checks a blob another node offered; retried per the settings. Hand the array to <see cref="Recycle"/> once decoded.</summary>
    /// <exception cref="DataPlaneException">The transfer failed; counted in <see cref="Stats"/>.</exception>
    public async Task<byte[]> FetchAsync(BlobHandle handle, CancellationToken cancellation = default)
    {
        var client = _client ?? throw new InvalidOperationException("The data plane is not running on this node.");
        _peerEndpoints[handle.Node] = (handle.Host, handle.Port);
        try
        {
            return await client.FetchAsync(handle, cancellation);
        }
        catch
        {
            Interlocked.Increment(ref _failed);
            throw;
        }
    }

    /// <summary>
    /// An array of exactly <paramref name="length"/> bytes to serialize a message into: reused when the data plane runs
    /// and the message is large enough to take it, else new.
    /// </summary>
    public byte[] Rent(int length) => _pool is not null && _store is not null && length >= Settings.ThresholdBytes ? _pool.Rent(length) : new byte[length];

    /// <summary>Hands back an array from <see cref="Rent"/> or <see cref="FetchAsync"/> once nothing reads it any more.</summary>
    public void Recycle(byte[] array)
    {
        if (array.Length >= Settings.ThresholdBytes) _pool?.Return(array);
    }

    /// <summary>The receiver gave up on a blob: release it.</summary>
    public void Release(long blobId) => _store?.Release(blobId);

    /// <summary>A node left the cluster: release what was offered to it and close the connections to it.</summary>
    public int ReleasePeer(Address node)
    {
        if (_peerEndpoints.TryRemove(node.ToString(), out var endpoint)) _client?.ForgetPeer(endpoint.Host, endpoint.Port);
        return _store?.ReleaseFor(node.ToString()) ?? 0;
    }

    public DataPlaneStats Stats => new(_store?.HeldBlobs ?? 0, _store?.HeldBytes ?? 0, _store?.Released ?? 0, _client?.ReceivingBytes ?? 0,
        _client?.Fetched ?? 0, Interlocked.Read(ref _failed), _client?.ChecksumFailures ?? 0, _client?.Retries ?? 0,
        _client?.OpenConnections ?? 0, _server?.Refused ?? 0, _pool?.PooledBytes ?? 0);

    private void SweepExpired(ILoggingAdapter log)
    {
        var released = _store?.ReleaseOfferedBefore(DateTime.UtcNow - Settings.BlobTtl) ?? 0;
        if (released > 0)
            log.Warning("Data plane: released {0} blob(s) nobody fetched within {1} s (actortrain.transport.data-plane.blob-ttl).", released,
                Settings.BlobTtl.TotalSeconds);
    }

    public void Dispose()
    {
        _sweep?.Dispose();
        _server?.Dispose();
        _client?.Dispose();
    }
}

/// <summary>A node's data plane counters.</summary>
/// <param name="HeldBlobs">Outgoing blobs waiting to be fetched.</param>
/// <param name="HeldBytes">Their bytes.</param>
/// <param name="Released">Outgoing blobs released (fetched, given up, receiver gone, or expired).</param>
/// <param name="ReceivingBytes">Bytes of receive buffers of fetches in progress.</param>
/// <param name="Fetched">Blobs fetched and checked.</param>
/// <param name="Failed">Fetches that failed after every attempt.</param>
/// <param name="ChecksumFailures">Attempts whose bytes did not match the announced CRC-32C.</param>
/// <param name="Retries">Attempts repeated after a failure.</param>
/// <param name="OpenConnections">Pooled outgoing connections.</param>
/// <param name="RefusedConnections">Incoming connections refused at the handshake.</param>
/// <param name="PooledBytes">Arrays kept for reuse (bounded by pool-bytes).</param>
public sealed record DataPlaneStats(int HeldBlobs, long HeldBytes, long Released, long ReceivingBytes, long Fetched, long Failed,
    long ChecksumFailures, long Retries, int OpenConnections, long RefusedConnections, long PooledBytes);

/// <summary>Akka extension plumbing for <see cref="DataPlane"/>.</summary>
public sealed class DataPlaneProvider : ExtensionIdProvider<DataPlane>
{
    public override DataPlane CreateExtension(ExtendedActorSystem system) => new(system);
}
