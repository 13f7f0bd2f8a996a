using System.CommandLine;
using System.Text;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Security;
using ActorTrain.Nodes.Configuration;
using Config = Akka.Configuration.Config;

namespace ActorTrain.Nodes.Cli;

/// <summary>
/// `node`'s transport security and cluster secret (hocon/cluster.conf, actortrain.security). Precedence: command
/// line > environment variable > configuration. Passwords and secrets come from files or the environment, never
/// from the command line, where every user of the machine can read them.
/// </summary>
public sealed class SecurityOptions
{
    public const string PasswordVariable = "ACTORTRAIN_TLS_PASSWORD";
    public const string SecretVariable = "ACTORTRAIN_CLUSTER_SECRET";

    private readonly Option<string?> _certificate = new("--tls-certificate")
        { Description = "PKCS#12 file (.pfx) with the cluster certificate and key: TLS, and only nodes with the same certificate connect (config: actortrain.security.tls.certificate)." };
    private readonly Option<string?> _passwordFile = new("--tls-password-file")
        { Description = $"File holding the certificate's password (else ${PasswordVariable}, else actortrain.security.tls.password)." };
    private readonly Option<string?> _secretFile = new("--cluster-secret-file")
        { Description = $"File holding the cluster secret; members prove it before they get work (else ${SecretVariable}, else actortrain.security.secret-file)." };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _certificate, _passwordFile, _secretFile }) command.Add(option);
    }

    /// <param name="user">The user's configuration (over the references).</param>
    public ClusterSecurity Read(ParseResult parse, Config user)
    {
        var config = ClusterConfig.Build(new NodeAddress(null, null, [], []), user);
        var certificatePath = NonEmpty(parse.GetValue(_certificate)) ?? NonEmpty(config.GetString("actortrain.security.tls.certificate", ""));
        var secret = ReadFile(parse.GetValue(_secretFile), "--cluster-secret-file")
                     ?? NonEmpty(Environment.GetEnvironmentVariable(SecretVariable)?.Trim())
                     ?? ReadFile(NonEmpty(config.GetString("actortrain.security.secret-file", "")), "actortrain.security.secret-file");
        var timeout = config.GetTimeSpan("actortrain.security.authentication-timeout", TimeSpan.FromSeconds(10));
        try
        {
            var certificate = certificatePath is null
                ? null
                : ClusterTls.Load(certificatePath, ReadFile(parse.GetValue(_passwordFile), "--tls-password-file")
                                                   ?? Environment.GetEnvironmentVariable(PasswordVariable)
                                                   ?? config.GetString("actortrain.security.tls.password", ""));
            return new ClusterSecurity(certificate, secret is null ? null : Encoding.UTF8.GetBytes(secret), timeout).Validate();
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException(e.Message);
        }
    }

    /// <summary>What a node log says about its security (never the secret or the password).</summary>
    public static string Describe(ClusterSecurity security) =>
        (security.Certificate is { } c ? $"TLS with the cluster certificate {c.Subject} (SHA-256 {c.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256)})" : "no TLS")
        + (security.Secret is null ? ", no cluster secret" : ", cluster secret");

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private static string? ReadFile(string? path, string what)
    {
        if (path is null) return null;
        if (!File.Exists(path)) throw new ConfigurationException($"{what} {path}: file not found.");
        return NonEmpty(File.ReadAllText(path).Trim()) ?? throw new ConfigurationException($"{what} {path}: the file is empty.");
    }
}
