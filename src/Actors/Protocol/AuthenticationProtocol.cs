namespace ActorTrain.Actors.Protocol;

/// <summary>
/// A gatekeeper asks a new member to prove it knows the cluster secret. <paramref name="Nonce"/> is 32 random bytes,
/// fresh for every member and attempt.
/// </summary>
public sealed record AuthenticationChallenge(byte[] Nonce) : IControlMessage;

/// <summary>
/// The answer: HMAC-SHA256 over the nonce and both addresses under the secret (<see cref="Security.SecretProof"/>).
/// Binding the addresses keeps a node from passing on another node's proof as its own.
/// </summary>
public sealed record AuthenticationProof(byte[] Nonce, byte[] Mac) : IControlMessage;

/// <summary>Tells a member its proof did not match: it holds another secret (it is downed, or refused service).</summary>
public sealed record AuthenticationRefused(string Reason) : IControlMessage;
