using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// The data plane's byte protocol (docs/wire-format.md, "Data plane"). All integers little-endian.
/// <code>
/// handshake  client → server  "ATDP" version(1) reserved(1) client nonce(32)
///            server → client  "ATDP" version(1) status(1)   server nonce(32) server proof(32)
///            client → server  client proof(32)
///            server → client  status(1)                     0 accepted, 1 refused
/// request    client → server  op(1) blob id(8)              op 1 fetch, 2 release (no answer)
/// fetch      server → client  status(1) size(8) bytes       status 0 found, 1 unknown blob (size 0, no bytes)
/// </code>
/// A proof is HMAC-SHA256 under the cluster secret over a domain tag, the prover's role and both nonces; without a
/// secret it is 32 zero bytes and the other side checks nothing. A side that has a secret refuses a peer whose proof
/// does not match, so a node without the cluster's secret (or with another) can neither fetch nor serve blobs.
/// With TLS the handshake runs inside the TLS session.
/// </summary>
internal static class DataPlaneWire
{
    public const byte Version = 1;
    public const byte OpFetch = 1;
    public const byte OpRelease = 2;
    public const byte StatusOk = 0;
    public const byte StatusRefused = 1;
    public const byte StatusUnknownBlob = 1;
    public const byte StatusBadVersion = 2;
    private const int NonceBytes = 32;
    private static readonly byte[] Magic = "ATDP"u8.ToArray();

    public static async Task ClientHandshakeAsync(Stream stream, byte[]? secret, CancellationToken cancellation)
    {
        var clientNonce = RandomNumberGenerator.GetBytes(NonceBytes);
        await stream.WriteAsync((byte[])[.. Magic, Version, 0, .. clientNonce], cancellation);
        var answer = new byte[4 + 2 + NonceBytes + 32];
        await stream.ReadExactlyAsync(answer, cancellation);
        if (!answer.AsSpan(0, 4).SequenceEqual(Magic)) throw new DataPlaneException("the peer is not an ActorTrain data plane (bad magic)");
        if (answer[5] == StatusBadVersion || answer[4] != Version)
            throw new DataPlaneException($"the peer speaks data plane version {answer[4]}, this node {Version}: run the same actortrain version on every node");
        var serverNonce = answer.AsSpan(6, NonceBytes).ToArray();
        // The client proves itself first, so a server with another secret counts the refusal too.
        await stream.WriteAsync(Proof(secret, "client", clientNonce, serverNonce), cancellation);
        var verdict = new byte[1];
        await stream.ReadExactlyAsync(verdict, cancellation);
        if (verdict[0] != StatusOk)
            throw new DataPlaneRefusedException("the peer refused this node's proof of the cluster secret: is this node's --cluster-secret-file the cluster's?");
        if (secret is not null && !CryptographicOperations.FixedTimeEquals(Proof(secret, "server", clientNonce, serverNonce), answer.AsSpan(6 + NonceBytes)))
            throw new DataPlaneRefusedException("the peer did not prove the cluster secret: is its --cluster-secret-file the cluster's?");
    }

    /// <returns>Whether the client proved the secret (always true when this node has none).</returns>
    public static async Task<bool> ServerHandshakeAsync(Stream stream, byte[]? secret, CancellationToken cancellation)
    {
        var hello = new byte[4 + 2 + NonceBytes];
        await stream.ReadExactlyAsync(hello, cancellation);
        if (!hello.AsSpan(0, 4).SequenceEqual(Magic)) return false;
        var clientNonce = hello.AsSpan(6).ToArray();
        var serverNonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var status = hello[4] == Version ? StatusOk : StatusBadVersion;
        await stream.WriteAsync((byte[])[.. Magic, Version, status, .. serverNonce, .. Proof(secret, "server", clientNonce, serverNonce)], cancellation);
        if (status != StatusOk) return false;
        var proof = new byte[32];
        await stream.ReadExactlyAsync(proof, cancellation);
        var admitted = secret is null || CryptographicOperations.FixedTimeEquals(Proof(secret, "client", clientNonce, serverNonce), proof);
        await stream.WriteAsync((byte[])[admitted ? StatusOk : StatusRefused], cancellation);
        return admitted;
    }

    public static byte[] Request(byte op, long blobId)
    {
        var bytes = new byte[9];
        bytes[0] = op;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), blobId);
        return bytes;
    }

    public static byte[] FetchHeader(byte status, long size)
    {
        var bytes = new byte[9];
        bytes[0] = status;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(1), size);
        return bytes;
    }

    private static byte[] Proof(byte[]? secret, string role, byte[] clientNonce, byte[] serverNonce) =>
        secret is null
            ? new byte[32]
            : HMACSHA256.HashData(secret, (byte[])[.. Encoding.UTF8.GetBytes($"actortrain/data-plane/v1\n{role}\n"), .. clientNonce, .. serverNonce]);
}

/// <summary>A transfer on the data plane failed: connection, timeout, protocol or checksum.</summary>
public class DataPlaneException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The peer refused this node's proof of the cluster secret, or could not prove it: retrying cannot help.</summary>
public sealed class DataPlaneRefusedException(string message) : DataPlaneException(message);

/// <summary>The sender no longer holds the blob (released, expired, or the sender restarted): retrying cannot help.</summary>
public sealed class BlobGoneException(string message) : DataPlaneException(message);
