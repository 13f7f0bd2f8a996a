namespace ActorTrain.Tensors.Data;

/// <summary>How <see cref="Fortunes"/> turns the corpus into next-word samples; equal options on equal files give equal data.</summary>
/// <param name="Vocabulary">V: target words (the classes), the most frequent words of the training entries (2 to 1,000,000).</param>
/// <param name="Context">k: previous words each sample sees (1 to 64).</param>
/// <param name="TestFraction">Share of entries held out for the test split, in (0, 1).</param>
/// <param name="SplitSeed">Seeds which entries are held out; independent of the training seed, so runs with other seeds test on the same entries.</param>
/// <param name="Digest">The corpus digest (<see cref="FortunesCorpus.Digest"/>) the data must come from, or null for any:
/// the parameter server sets it so a worker with other fortune files fails instead of training on other word ids.</param>
public sealed record FortunesOptions(
    int Vocabulary = 2000,
    int Context = 4,
    double TestFraction = 0.1,
    int SplitSeed = 1,
    string? Digest = null)
{
    /// <summary>Largest V: ids up to V + 1 travel as float32 features, exact below 2²⁴.</summary>
    public const int MaxVocabulary = 1_000_000;

    public const int MaxContext = 64;

    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        if (Vocabulary is < 2 or > MaxVocabulary)
            throw new ArgumentException($"Fortunes: the vocabulary must be 2..{MaxVocabulary} words, got {Vocabulary}.");
        if (Context is < 1 or > MaxContext)
            throw new ArgumentException($"Fortunes: the context must be 1..{MaxContext} words, got {Context}.");
        if (!(TestFraction is > 0 and < 1))
            throw new ArgumentException($"Fortunes: the test fraction must be strictly between 0 and 1, got {TestFraction}.");
    }
}
