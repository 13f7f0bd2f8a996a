using System.Text;

namespace ActorTrain.Tensors.Data;

/// <summary>
/// Splits fortune files into entries and entries into lowercase words. A word is a maximal run of letters
/// (<see cref="char.IsLetter(char)"/>, so "café" stays one word) and apostrophes, lowercased with the invariant culture;
/// the typographic apostrophe ’ counts as '. Apostrophes at either end are trimmed, so quoting ('hello') and
/// "'tis" give "hello" and "tis" while "don't" and "o'clock" stay whole. Digits, punctuation, whitespace and symbols
/// separate words and are dropped: the model predicts words, not formatting.
/// </summary>
public static class FortunesTokenizer
{
    /// <summary>The entries of one fortune file: the text between lines that hold only <c>%</c>.</summary>
    /// <returns>Each entry's text, empty ones included (callers skip entries without words).</returns>
    public static IReadOnlyList<string> SplitEntries(string fileText)
    {
        var entries = new List<string>();
        var current = new StringBuilder();
        foreach (var line in fileText.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed == "%")
            {
                entries.Add(current.ToString());
                current.Clear();
            }
            else current.Append(trimmed).Append('\n');
        }
        entries.Add(current.ToString()); // text after the last % (usually empty)
        return entries;
    }

    /// <summary>The words of <paramref name="text"/>, in order.</summary>
    public static string[] Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var raw in text)
        {
            var c = raw == '\u2019' ? '\'' : raw;
            if (char.IsLetter(c) || c == '\'')
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }
            Flush(word, words);
        }
        Flush(word, words);
        return words.ToArray();
    }

    private static void Flush(StringBuilder word, List<string> words)
    {
        if (word.Length == 0) return;
        var trimmed = word.ToString().Trim('\'');
        if (trimmed.Length > 0) words.Add(trimmed);
        word.Clear();
    }
}
