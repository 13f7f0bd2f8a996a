using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace ActorTrain.Nodes.Cli;

/// <summary>
/// What the parser itself rejects (an unknown option or command, a missing required option, a value of the wrong
/// type) and `--config` given to a command that reads none: one "error:" line each, the closest known name, where the
/// options are listed, and exit code <see cref="UserErrors.BadInput"/>, instead of the parser's help dump and exit 1.
/// </summary>
internal static partial class CommandLineErrors
{
    /// <summary>The commands whose settings come from the HOCON configuration that `--config` overrides.</summary>
    private static readonly HashSet<string> ReadConfiguration = ["train", "run", "node", "bench"];

    /// <returns>The exit code when <paramref name="parse"/> cannot run, else null.</returns>
    public static int? Check(ParseResult parse, TextWriter error)
    {
        var command = CommandPath(parse.CommandResult);
        if (parse.Errors.Count > 0 && parse.Action is System.CommandLine.Invocation.ParseErrorAction)
        {
            foreach (var problem in parse.Errors) error.WriteLine($"error: {Readable(problem.Message)}");
            foreach (var token in parse.UnmatchedTokens)
                if (Closest(token, parse.CommandResult.Command) is { } guess) error.WriteLine($"       did you mean {guess}?");
            error.WriteLine($"`{command} --help` lists every option.");
            return UserErrors.BadInput;
        }
        var config = parse.RootCommandResult.Command.Options.OfType<Option<string?>>().Single(o => o.Name == "--config");
        if (parse.GetValue(config) is { } file && !ReadConfiguration.Contains(parse.CommandResult.Command.Name)
            && parse.Action is { } action && action == parse.CommandResult.Command.Action) // not for --help
        {
            error.WriteLine($"error: --config {file}: `{command}` reads no configuration file (its settings are all options: `{command} --help`); leave --config out.");
            return UserErrors.BadInput;
        }
        return null;
    }

    /// <summary>"… as expected type 'System.Nullable`1[System.Int32]'." becomes "… as a whole number.".</summary>
    private static string Readable(string message) => ExpectedType().Replace(message, m => m.Groups[1].Value switch
    {
        "Int32" or "Int64" => " as a whole number.",
        "Single" or "Double" => " as a number.",
        "Boolean" => " as true or false.",
        var other => $" as {other}.",
    });

    [GeneratedRegex(@" as expected type '(?:System\.Nullable`1\[)?System\.(\w+)\]?'\.")]
    private static partial Regex ExpectedType();

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? at = result; at is CommandResult c; at = c.Parent)
            names.Insert(0, c.Parent is null ? "actortrain" : c.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>The option or subcommand spelled most like <paramref name="token"/> (at most a third of its letters off), if any.</summary>
    private static string? Closest(string token, Command command)
    {
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name))
            .Concat(command.Subcommands.Select(c => c.Name))
            .Append("--config");
        var best = names.Select(n => (Name: n, Distance: EditDistance(token, n))).MinBy(p => p.Distance);
        return best.Name is not null && best.Distance <= Math.Max(1, token.Length / 3) ? best.Name : null;
    }

    /// <summary>Levenshtein distance: insertions, deletions and substitutions.</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}
