using ActorTrain.Actors.Serialization;
using Akka.Configuration;

namespace ActorTrain.Actors.Hosting;

/// <summary>Where and as what a node joins the cluster.</summary>
/// <param name="Host">Address to bind and advertise; null keeps the configured one.</param>
/// <param name="Port">0 picks a free port; null keeps the configured one.</param>
/// <param name="Seeds">Seed node addresses; empty keeps the configured ones (none: join yourself, a new cluster).</param>
public sealed record NodeAddress(string? Host, int? Port, IReadOnlyList<string> Seeds, IReadOnlyList<string> Roles);

/// <summary>
/// Builds a node's configuration: its address and roles over the user's config over hocon/tls.conf (with TLS only)
/// over hocon/cluster.conf.
/// </summary>
public static class ClusterConfig
{
    public const string SystemName = "actortrain";

    public static string ReferenceText()
    {
        using var stream = typeof(ClusterConfig).Assembly.GetManifestResourceStream("cluster.conf")
            ?? throw new InvalidOperationException("The embedded cluster configuration is missing from this build.");
        return new StreamReader(stream).ReadToEnd();
    }

    /// <param name="user">The user's configuration (keys they set win over the reference), or null.</param>
    /// <param name="tls">Lay hocon/tls.conf under the user's keys: TLS on Akka.Remote.</param>
    public static Config Build(NodeAddress node, Config? user = null, string? logLevel = null, bool tls = false)
    {
        static string Quote(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var overrides = $$"""
            {{(node.Host is null ? "" : $"akka.remote.dot-netty.tcp.hostname = {Quote(node.Host)}")}}
            {{(node.Port is null ? "" : $"akka.remote.dot-netty.tcp.port = {node.Port}")}}
            akka.cluster.roles = [{{string.Join(", ", node.Roles.Select(Quote))}}]
            {{(node.Seeds.Count > 0 ? $"akka.cluster.seed-nodes = [{string.Join(", ", node.Seeds.Select(Quote))}]" : "")}}
            {{(logLevel is null ? "" : $"akka.loglevel = {logLevel}\nakka.stdout-loglevel = {logLevel}")}}
            """;
        var config = ConfigurationFactory.ParseString(overrides);
        if (user is not null) config = config.WithFallback(user);
        if (tls) config = config.WithFallback(Security.ClusterTls.Reference());
        return config.WithFallback(ConfigurationFactory.ParseString(ReferenceText())).WithFallback(SerializationConfig.Hocon);
    }
}
