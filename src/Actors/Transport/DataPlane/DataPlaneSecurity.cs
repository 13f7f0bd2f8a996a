using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ActorTrain.Actors.Security;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// The cluster's security applied to data plane connections: with a certificate, TLS (1.2 or 1.3) with both ends
/// presenting it and each accepting exactly the cluster's certificate (as <see cref="ClusterTls"/> does for Akka.Remote);
/// with a secret, the proof exchange of <see cref="DataPlaneWire"/> inside that session.
/// </summary>
internal sealed class DataPlaneSecurity(ClusterSecurity security)
{
    public byte[]? Secret => security.Secret;

    public async Task<Stream> ClientAsync(Stream network, string host, CancellationToken cancellation)
    {
        if (security.Certificate is not { } certificate) return network;
        var tls = new SslStream(network, leaveInnerStreamOpen: false, (_, peer, _, _) => IsCluster(peer, certificate));
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            ClientCertificates = [certificate],
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        }, cancellation);
        return tls;
    }

    public async Task<Stream> ServerAsync(Stream network, CancellationToken cancellation)
    {
        if (security.Certificate is not { } certificate) return network;
        var tls = new SslStream(network, leaveInnerStreamOpen: false, (_, peer, _, _) => IsCluster(peer, certificate));
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            ClientCertificateRequired = true,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        }, cancellation);
        return tls;
    }

    /// <summary>The peer's certificate is the cluster's, byte for byte, and valid now; the chain and name are not consulted.</summary>
    private static bool IsCluster(X509Certificate? peer, X509Certificate2 cluster)
    {
        if (peer is null) return false;
        var now = DateTime.Now;
        return CryptographicOperations.FixedTimeEquals(peer.GetRawCertData(), cluster.RawData) && now >= cluster.NotBefore && now <= cluster.NotAfter;
    }
}
