using Akka.Configuration;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary><c>actortrain.transport.data-plane</c> (hocon/cluster.conf states each default and what it does).</summary>
/// <param name="ThresholdBytes">Serialized tensor messages at least this large go over the data plane; smaller ones travel as Akka messages.</param>
/// <param name="MaxHeldBytes">Outgoing blobs this node holds until their receivers fetch them; a message that would exceed it falls back to chunks.</param>
/// <param name="MaxReceivingBytes">Bytes of receive buffers in flight at once; further fetches wait (back-pressure).</param>
/// <param name="ConnectionsPerPeer">Pooled connections to one peer node, so that many transfers proceed at once.</param>
/// <param name="Timeout">One fetch attempt: connect, handshake and every byte.</param>
/// <param name="Attempts">Fetch attempts before the transfer is reported failed.</param>
/// <param name="BlobTtl">An offered blob nobody fetched is released after this long.</param>
/// <param name="PoolBytes">Arrays kept for reuse (<see cref="BlobPool"/>).</param>
public sealed record DataPlaneSettings(
    bool Enabled,
    string BindHost,
    string PublicHost,
    int Port,
    long ThresholdBytes,
    long MaxHeldBytes,
    long MaxReceivingBytes,
    int ConnectionsPerPeer,
    TimeSpan Timeout,
    int Attempts,
    TimeSpan BlobTtl,
    long PoolBytes)
{
    public static DataPlaneSettings From(Config config)
    {
        const string Path = "actortrain.transport.data-plane.";
        var bind = config.GetString("akka.remote.dot-netty.tcp.hostname", "127.0.0.1");
        if (string.IsNullOrWhiteSpace(bind)) bind = "127.0.0.1";
        var publicHost = config.GetString("akka.remote.dot-netty.tcp.public-hostname", "");
        var settings = new DataPlaneSettings(
            config.GetBoolean(Path + "enabled", true),
            bind,
            string.IsNullOrWhiteSpace(publicHost) ? bind : publicHost,
            config.GetInt(Path + "port", 0),
            config.GetByteSize(Path + "threshold-bytes") ?? 256 * 1024,
            config.GetByteSize(Path + "max-held-bytes") ?? 4L << 30,
            config.GetByteSize(Path + "max-receiving-bytes") ?? 2L << 30,
            config.GetInt(Path + "connections-per-peer", 4),
            config.GetTimeSpan(Path + "timeout", TimeSpan.FromSeconds(30)),
            config.GetInt(Path + "attempts", 3),
            config.GetTimeSpan(Path + "blob-ttl", TimeSpan.FromSeconds(60)),
            config.GetByteSize(Path + "pool-bytes") ?? 1L << 30);
        return settings.Validate();
    }

    /// <exception cref="ConfigurationException">A value is out of range; the message names the key.</exception>
    public DataPlaneSettings Validate()
    {
        const string Path = "actortrain.transport.data-plane.";
        if (Port is < 0 or > 65535) throw new ConfigurationException($"{Path}port = {Port}: use 0 (any free port) or 1–65535.");
        if (ThresholdBytes < 0) throw new ConfigurationException($"{Path}threshold-bytes = {ThresholdBytes}: must be at least 0.");
        if (MaxHeldBytes < 1 || MaxReceivingBytes < 1) throw new ConfigurationException($"{Path}max-held-bytes and max-receiving-bytes must be positive.");
        if (ConnectionsPerPeer < 1) throw new ConfigurationException($"{Path}connections-per-peer = {ConnectionsPerPeer}: must be at least 1.");
        if (Timeout <= TimeSpan.Zero || BlobTtl <= TimeSpan.Zero) throw new ConfigurationException($"{Path}timeout and blob-ttl must be positive.");
        if (PoolBytes < 0) throw new ConfigurationException($"{Path}pool-bytes = {PoolBytes}: must be at least 0.");
        if (Attempts < 1) throw new ConfigurationException($"{Path}attempts = {Attempts}: must be at least 1.");
        return this;
    }
}
