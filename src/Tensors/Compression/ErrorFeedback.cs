namespace ActorTrain.Tensors.Compression;

/// <summary>
/// Error feedback (Seide et al. 2014; Stich et al. 2018; Karimireddy et al. 2019): the worker compresses its update
/// plus what earlier compressions dropped, and keeps the new difference: a = g + e, s = C(a), e ← a − s. What is not
/// sent now is sent later: Σ s_t + e_T = Σ g_t. The residual e stays on the worker.
/// </summary>
public sealed class ErrorFeedback(IUpdateCompressor compressor, int length)
{
    private readonly float[] _residual = new float[length];

    public IUpdateCompressor Compressor { get; } = compressor;

    /// <value>What has been dropped and not yet sent (read-only view; owned by this instance).</value>
    public ReadOnlySpan<float> Residual => _residual;

    /// <summary>The compressed update to send for <paramref name="update"/>; updates the residual.</summary>
    public float[] Apply(ReadOnlySpan<float> update)
    {
        if (update.Length != _residual.Length) throw new ArgumentException($"Error feedback holds {_residual.Length} elements, the update {update.Length}.");
        var corrected = new float[update.Length];
        for (var i = 0; i < corrected.Length; i++) corrected[i] = update[i] + _residual[i];
        var sent = new float[update.Length];
        Compressor.Compress(corrected, sent);
        for (var i = 0; i < corrected.Length; i++) _residual[i] = corrected[i] - sent[i];
        return sent;
    }
}
