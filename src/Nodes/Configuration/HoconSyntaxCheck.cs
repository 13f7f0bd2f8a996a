namespace ActorTrain.Nodes.Configuration;

/// <summary>
/// Structural checks Akka's HOCON parser does not make: it accepts unbalanced braces and unterminated strings
/// silently (and can hang on an unclosed array), so a typo would quietly change the configuration.
/// Finds the first unterminated string, unclosed or stray brace/bracket, with its line and column.
/// </summary>
public static class HoconSyntaxCheck
{
    /// <returns>null when the structure is sound, else what is wrong and where.</returns>
    public static string? FindProblem(string text)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        int line = 1, column = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            column++;
            if (c == '\n') (line, column) = (line + 1, 0);
            else if (c == '#' || (c == '/' && At(text, i, "//"))) i = SkipToLineEnd(text, i) - 1;
            else if (At(text, i, "\"\"\""))
            {
                var end = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                if (end < 0) return $"line {line}, column {column}: triple-quoted string is never closed";
                (line, column) = Advance(text, i, end + 3, line, column);
                i = end + 2;
            }
            else if (c == '"')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != '"' && text[end] != '\n') end += text[end] == '\\' ? 2 : 1;
                if (end >= text.Length || text[end] != '"') return $"line {line}, column {column}: string is not closed on its line";
                column += end - i;
                i = end;
            }
            else if (c is '{' or '[') open.Push((c, line, column));
            else if (c is '}' or ']')
            {
                var expected = c == '}' ? '{' : '[';
                if (open.Count == 0) return $"line {line}, column {column}: '{c}' closes nothing";
                var top = open.Pop();
                if (top.Bracket != expected)
                    return $"line {line}, column {column}: '{c}' closes the '{top.Bracket}' opened at line {top.Line}, column {top.Column}";
            }
        }
        if (open.Count > 0)
        {
            var unclosed = open.Peek();
            return $"line {unclosed.Line}, column {unclosed.Column}: '{unclosed.Bracket}' is never closed";
        }
        return null;
    }

    private static bool At(string text, int i, string token) => string.CompareOrdinal(text, i, token, 0, token.Length) == 0;

    private static int SkipToLineEnd(string text, int i)
    {
        var end = text.IndexOf('\n', i);
        return end < 0 ? text.Length : end;
    }

    private static (int Line, int Column) Advance(string text, int from, int to, int line, int column)
    {
        for (var k = from + 1; k < to; k++)
            (line, column) = text[k] == '\n' ? (line + 1, 0) : (line, column + 1);
        return (line, column);
    }
}
