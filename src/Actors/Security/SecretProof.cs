using System.Security.Cryptography;
using System.Text;
using Akka.Actor;

namespace ActorTrain.Actors.Security;

/// <summary>
/// The proof a node gives that it holds the cluster secret: HMAC-SHA256 (RFC 2104) keyed by the secret over a
/// domain tag, the prover's and the verifier's addresses and the verifier's nonce. The secret never leaves the node,
/// a proof is good for one challenge only, and it names who proved it to whom.
/// </summary>
public static class SecretProof
{
    /// <summary>Secrets shorter than this are refused: a cluster secret must not be guessable.</summary>
    public const int MinimumSecretBytes = 16;

    public static byte[] NewNonce() => RandomNumberGenerator.GetBytes(32);

    public static byte[] Compute(byte[] secret, byte[] nonce, Address prover, Address verifier)
    {
        var context = Encoding.UTF8.GetBytes($"actortrain/cluster-secret/v1\n{prover}\n{verifier}\n");
        return HMACSHA256.HashData(secret, context.Concat(nonce).ToArray());
    }

    public static bool Verify(byte[] secret, byte[] nonce, Address prover, Address verifier, byte[] mac) =>
        CryptographicOperations.FixedTimeEquals(Compute(secret, nonce, prover, verifier), mac);
}
