using System.Security.Cryptography.X509Certificates;

namespace ActorTrain.Actors.Security;

/// <summary>A node's transport security and cluster secret; both optional (docs/cluster.md, "Security").</summary>
/// <param name="Certificate">The cluster certificate with its private key: TLS on every connection, and a peer must
/// present the same certificate (<see cref="ClusterTls"/>). Null: plain TCP.</param>
/// <param name="Secret">The cluster secret: members prove it to each other (<see cref="ClusterGatekeeper"/>). Null: none.</param>
/// <param name="AuthenticationTimeout">A member that has not proved the secret this long after it is up is downed.</param>
public sealed record ClusterSecurity(X509Certificate2? Certificate, byte[]? Secret, TimeSpan AuthenticationTimeout)
{
    public static ClusterSecurity None { get; } = new(null, null, TimeSpan.FromSeconds(10));

    public bool Tls => Certificate is not null;

    /// <summary>The address scheme of this node's cluster: akka.ssl.tcp with TLS, akka.tcp without.</summary>
    public string Scheme => Tls ? "akka.ssl.tcp" : "akka.tcp";

    /// <exception cref="ArgumentException">The secret is shorter than <see cref="SecretProof.MinimumSecretBytes"/>.</exception>
    public ClusterSecurity Validate()
    {
        if (Secret is { Length: < SecretProof.MinimumSecretBytes })
            throw new ArgumentException($"The cluster secret has {Secret.Length} bytes; use at least {SecretProof.MinimumSecretBytes} " +
                                        "(deploy/make-cluster-certificate.sh writes a random one).");
        if (AuthenticationTimeout <= TimeSpan.Zero) throw new ArgumentException("actortrain.security.authentication-timeout must be positive.");
        return this;
    }
}
