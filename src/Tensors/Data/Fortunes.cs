using static TorchSharp.torch;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Next-word prediction over Debian's <c>fortunes</c> corpus (package <c>fortunes</c>): short English texts, like
/// utterances. Entries are split into train and test by a seeded shuffle (whole entries, so no text is in both); the
/// vocabulary is the V most frequent words of the training entries (<see cref="FortunesVocabulary"/>). A sample is an
/// entry position: its input is the ids of the k previous words (&lt;s&gt; before the entry's start, &lt;unk&gt; for
/// words outside the vocabulary), stored as float32 [k] because <see cref="LabeledDataset"/> holds float inputs (the
/// <c>wordmlp</c> model casts them back); its label is the word's id. Positions whose word is outside the vocabulary
/// are dropped: the classes are exactly the V words, so a batch's targets are words an attacker can name.
/// </summary>
public static class Fortunes
{
    public const string DefaultDirectory = "/usr/share/games/fortunes";

    /// <summary>Environment variable that points at a folder of fortune files.</summary>
    public const string DirectoryVariable = "ACTORTRAIN_FORTUNES";

    /// <summary>
    /// Where to read from: the command line's <c>--fortunes-dir</c> first, then <see cref="DirectoryVariable"/>,
    /// then the configured directory, then <see cref="DefaultDirectory"/>.
    /// </summary>
    public static string ResolveDirectory(string? commandLine, string? configured) =>
        new[] { commandLine, Environment.GetEnvironmentVariable(DirectoryVariable), configured }
            .FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? DefaultDirectory;

    /// <exception cref="DatasetNotFoundException">No fortune files, or files whose digest differs from <see cref="FortunesOptions.Digest"/>.</exception>
    public static DatasetSplits Load(string directory, FortunesOptions options)
    {
        options.Validate();
        return Build(FortunesCorpus.Read(directory), options).Splits;
    }

    public static FortunesDataset Build(FortunesCorpus corpus, FortunesOptions options)
    {
        options.Validate();
        if (options.Digest is { } expected && expected != corpus.Digest)
            throw new DatasetNotFoundException(
                $"Fortunes: this node's fortune files (digest {corpus.Digest[..12]}…) differ from the ones the run was " +
                $"prepared with ({expected[..Math.Min(12, expected.Length)]}…), so word ids would differ. Install the same " +
                "fortunes package version on every node, or point --fortunes-dir at a copy of the same files.");
        if (corpus.Entries.Count < 2)
            throw new ArgumentException($"Fortunes: {corpus.Entries.Count} entries with words; a train and a test split need at least 2.");

        var isTest = TestEntries(corpus.Entries.Count, options);
        var train = corpus.Entries.Where((_, i) => !isTest[i]).ToArray();
        var test = corpus.Entries.Where((_, i) => isTest[i]).ToArray();
        var vocabulary = FortunesVocabulary.MostFrequent(train, options.Vocabulary);
        return new FortunesDataset(
            new DatasetSplits(Samples("fortunes/train", train, vocabulary, options.Context), Samples("fortunes/test", test, vocabulary, options.Context)),
            vocabulary, train.Length, test.Length);
    }

    /// <summary>round(n · fraction) entries, at least 1 and at most n − 1, chosen by a seeded Fisher–Yates shuffle.</summary>
    private static bool[] TestEntries(int count, FortunesOptions options)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new SplitMix64((ulong)options.SplitSeed).Shuffle(order.AsSpan());
        var testCount = Math.Clamp((int)Math.Round(count * options.TestFraction), 1, count - 1);
        var isTest = new bool[count];
        foreach (var i in order.AsSpan(0, testCount)) isTest[i] = true;
        return isTest;
    }

    private static LabeledDataset Samples(string name, string[][] entries, FortunesVocabulary vocabulary, int context)
    {
        var inputs = new List<float>();
        var labels = new List<long>();
        foreach (var entry in entries)
        {
            var ids = entry.Select(vocabulary.Id).ToArray();
            for (var position = 0; position < ids.Length; position++)
            {
                if (ids[position] == vocabulary.Unknown) continue;
                for (var back = context; back >= 1; back--)
                    inputs.Add(position - back >= 0 ? ids[position - back] : vocabulary.Start);
                labels.Add(ids[position]);
            }
        }
        if (labels.Count == 0)
            throw new ArgumentException($"Fortunes: {name} has no sample whose word is in the vocabulary; use more entries or a larger test fraction.");
        return new LabeledDataset(name, tensor(inputs.ToArray(), [labels.Count, context]), tensor(labels.ToArray()), vocabulary.Size);
    }
}

/// <summary>The samples <see cref="Fortunes.Build"/> made, with the vocabulary that names their ids.</summary>
/// <param name="TrainEntries">Entries behind the training samples.</param>
/// <param name="TestEntries">Entries behind the test samples.</param>
public sealed record FortunesDataset(DatasetSplits Splits, FortunesVocabulary Vocabulary, int TrainEntries, int TestEntries) : IDisposable
{
    public void Dispose() => Splits.Dispose();
}
