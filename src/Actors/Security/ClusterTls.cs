using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace ActorTrain.Actors.Security;

/// <summary>
/// TLS on Akka.Remote's DotNetty transport with one certificate per cluster, pinned. Akka.NET 1.5.74's own validator
/// checks the peer's chain against the operating system's trusted roots (or, with suppress-validation, nothing), so
/// it would refuse a self-signed cluster certificate and accept any publicly signed one; neither keeps strangers
/// out. This validator accepts exactly the cluster's certificate (byte for byte) inside its validity period. With
/// require-mutual-authentication (hocon/tls.conf) both ends are checked, and the TLS handshake proves the peer holds
/// the certificate's private key.
/// </summary>
public static class ClusterTls
{
    /// <summary>hocon/tls.conf: the Akka keys laid over the cluster configuration when TLS is on.</summary>
    public static Config Reference()
    {
        using var stream = typeof(ClusterTls).Assembly.GetManifestResourceStream("tls.conf")
            ?? throw new InvalidOperationException("The embedded TLS configuration is missing from this build.");
        return ConfigurationFactory.ParseString(new StreamReader(stream).ReadToEnd());
    }

    /// <summary>Loads a PKCS#12 file (certificate and private key).</summary>
    /// <exception cref="ArgumentException">The file is missing, unreadable with that password, or has no private key.</exception>
    public static X509Certificate2 Load(string path, string? password)
    {
        if (!File.Exists(path)) throw new ArgumentException($"--tls-certificate {path}: file not found.");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"--tls-certificate {path}: cannot read it ({e.Message.TrimEnd('.')}); is the password right " +
                                        "(--tls-password-file or ACTORTRAIN_TLS_PASSWORD)?", e);
        }
        if (!certificate.HasPrivateKey)
            throw new ArgumentException($"--tls-certificate {path}: holds no private key; export the certificate with its key (PKCS#12).");
        return certificate;
    }

    /// <summary>The programmatic setup Akka.Remote takes over hocon's ssl.certificate keys when enable-ssl is on.</summary>
    public static DotNettySslSetup Setup(X509Certificate2 certificate) =>
        new(certificate, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false, PinnedTo(certificate));

    /// <summary>Accepts a peer certificate only when it is <paramref name="cluster"/> itself and valid now.</summary>
    public static CertificateValidationCallback PinnedTo(X509Certificate2 cluster)
    {
        var expected = cluster.RawData;
        return (peerCertificate, _, peer, _, log) =>
        {
            if (peerCertificate is null)
            {
                log.Warning("TLS: refused {0}: it presented no certificate.", peer);
                return false;
            }
            if (!CryptographicOperations.FixedTimeEquals(peerCertificate.RawData, expected))
            {
                log.Warning("TLS: refused {0}: its certificate ({1}, SHA-256 {2}) is not this cluster's.", peer, peerCertificate.Subject,
                    peerCertificate.GetCertHashString(HashAlgorithmName.SHA256));
                return false;
            }
            var now = DateTime.Now;
            if (now < peerCertificate.NotBefore || now > peerCertificate.NotAfter)
            {
                log.Warning("TLS: refused {0}: the cluster certificate is valid from {1:u} to {2:u} only.", peer, peerCertificate.NotBefore,
                    peerCertificate.NotAfter);
                return false;
            }
            return true;
        };
    }
}
