namespace ActorTrain.Tensors.Data;

/// <summary>
/// The V most frequent words of a corpus, with two reserved ids after them. Ids 0..V−1 are the words by falling
/// frequency (ties in ordinal order, so every machine numbers them alike); <see cref="Unknown"/> = V stands for any
/// other word and <see cref="Start"/> = V + 1 pads the context before an entry's first word. Targets (the classes)
/// are exactly the V words; the reserved ids appear only in contexts.
/// </summary>
public sealed class FortunesVocabulary
{
    /// <summary>Ids beyond the V words: &lt;unk&gt; and &lt;s&gt;.</summary>
    public const int ReservedTokens = 2;

    private readonly Dictionary<string, int> _ids;

    private FortunesVocabulary(string[] words)
    {
        Words = words;
        _ids = new Dictionary<string, int>(words.Length, StringComparer.Ordinal);
        for (var i = 0; i < words.Length; i++) _ids[words[i]] = i;
    }

    /// <summary>The V words, most frequent first; a word's index is its id.</summary>
    public IReadOnlyList<string> Words { get; }

    /// <summary>V, the number of target classes.</summary>
    public int Size => Words.Count;

    /// <summary>Id of &lt;unk&gt;: any word outside the vocabulary.</summary>
    public int Unknown => Size;

    /// <summary>Id of &lt;s&gt;: the context before an entry's first word.</summary>
    public int Start => Size + 1;

    /// <summary>Ids an embedding table must hold: V + <see cref="ReservedTokens"/>.</summary>
    public int TokenCount => Size + ReservedTokens;

    /// <summary>The word's id, or <see cref="Unknown"/>.</summary>
    public int Id(string word) => _ids.TryGetValue(word, out var id) ? id : Unknown;

    /// <summary>The <paramref name="size"/> most frequent words of <paramref name="entries"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than <paramref name="size"/> distinct words.</exception>
    public static FortunesVocabulary MostFrequent(IEnumerable<string[]> entries, int size)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in entries)
            foreach (var word in entry)
                counts[word] = counts.GetValueOrDefault(word) + 1;
        if (counts.Count < size)
            throw new ArgumentException($"Fortunes: the training entries hold {counts.Count} distinct words, fewer than the vocabulary of {size} asked for; ask for {counts.Count} or fewer.");
        var words = counts
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(size)
            .Select(p => p.Key)
            .ToArray();
        return new FortunesVocabulary(words);
    }
}
