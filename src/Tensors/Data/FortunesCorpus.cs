using System.Security.Cryptography;
using System.Text;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// The English fortune files of a directory, split into entries and words (<see cref="FortunesTokenizer"/>).
/// A fortune file is a regular file directly in the directory whose name does not end in <c>.dat</c> (the index
/// strfile writes) or <c>.u8</c> (Debian's links to the same text). Subdirectories are not read: that skips
/// <c>off/</c> (the offensive files) and the other languages' folders. Files are read in ordinal name order, as
/// UTF-8, so every machine with the same files sees the same entries in the same order.
/// </summary>
public sealed class FortunesCorpus
{
    private FortunesCorpus(IReadOnlyList<string> files, IReadOnlyList<string[]> entries, string digest) =>
        (Files, Entries, Digest) = (files, entries, digest);

    /// <summary>Names of the files read, in reading order.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>The words of each entry that has at least one word, file by file, in file order.</summary>
    public IReadOnlyList<string[]> Entries { get; }

    /// <summary>
    /// SHA-256 (lowercase hex) of every file's name and bytes in reading order: equal digests mean equal corpora,
    /// so nodes can check they build the same dataset.
    /// </summary>
    public string Digest { get; }

    /// <summary>Total words over all entries.</summary>
    public long WordCount => Entries.Sum(e => (long)e.Length);

    /// <exception cref="DatasetNotFoundException">No directory, or no fortune files in it.</exception>
    public static FortunesCorpus Read(string directory)
    {
        if (File.Exists(directory))
            throw new DatasetNotFoundException(
                $"Fortunes location '{directory}' is a file; it must be the directory holding the fortune files " +
                $"(e.g. {Fortunes.DefaultDirectory}). Point --fortunes-dir at that directory.");
        var files = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory)
                .Select(Path.GetFileName)
                .OfType<string>()
                .Where(name => !name.EndsWith(".dat", StringComparison.Ordinal) && !name.EndsWith(".u8", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToArray()
            : [];
        if (files.Length == 0)
            throw new DatasetNotFoundException(
                $"Fortunes not found: no fortune files in '{directory}'. On Debian or Ubuntu install them with: " +
                $"sudo apt-get install fortunes (they go to {Fortunes.DefaultDirectory}). Or point ActorTrain at a directory " +
                $"of fortune files (entries separated by lines holding only %): --fortunes-dir DIR, the " +
                $"{Fortunes.DirectoryVariable} environment variable, or actortrain.fortunes.directory in your HOCON config.");

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var entries = new List<string[]>();
        foreach (var name in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(directory, name));
            hash.AppendData(Encoding.UTF8.GetBytes(name + "\0"));
            hash.AppendData(BitConverter.GetBytes((long)bytes.Length)); // length-prefixed: no two file sets hash alike by concatenation
            hash.AppendData(bytes);
            foreach (var entry in FortunesTokenizer.SplitEntries(Encoding.UTF8.GetString(bytes)))
            {
                var words = FortunesTokenizer.Words(entry);
                if (words.Length > 0) entries.Add(words);
            }
        }
        return new FortunesCorpus(files, entries, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }
}
