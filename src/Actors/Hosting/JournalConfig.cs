using Akka.Configuration;

namespace ActorTrain.Actors.Hosting;

/// <summary>
/// Where the parameter server journals its steps: nowhere (in memory, lost with the process) or a SQLite file
/// (Akka.Persistence.Sql, provider SQLite.MS; one writer at a time).
/// </summary>
public static class JournalConfig
{
    public static readonly IReadOnlyList<string> Kinds = ["none", "sqlite[:PATH]"];

    /// <summary>In-memory journal and snapshot store: nothing survives the process.</summary>
    public static Config None { get; } = ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    /// <summary>Journal and snapshots in one SQLite file (created with its tables when missing).</summary>
    public static Config Sqlite(string path, bool create = true)
    {
        var full = Path.GetFullPath(path);
        if (create) Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connection = $"Data Source={full}".Replace("\\", "\\\\").Replace("\"", "\\\"");
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = "{{connection}}", provider-name = "SQLite.MS", parallelism = 1, auto-initialize = true }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = "{{connection}}", provider-name = "SQLite.MS", auto-initialize = true }
              }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>Parses "none", "sqlite" (the file <paramref name="defaultSqlitePath"/>) or "sqlite:PATH".</summary>
    /// <returns>The configuration and whether the parameter server should persist.</returns>
    /// <param name="create">Create the journal's folder (false: only check the spec).</param>
    public static (Config Config, bool Persistent, string Description) Parse(string spec, string defaultSqlitePath, bool create = true)
    {
        if (spec == "none") return (None, false, "none (steps are not journaled)");
        if (spec == "sqlite") return (Sqlite(defaultSqlitePath, create), true, $"sqlite:{Path.GetFullPath(defaultSqlitePath)}");
        if (spec.StartsWith("sqlite:", StringComparison.Ordinal) && spec.Length > 7)
        {
            var path = spec[7..];
            if (Directory.Exists(path)) throw new ArgumentException($"--journal {spec}: {path} is a directory; name a file for the SQLite journal.");
            return (Sqlite(path, create), true, $"sqlite:{Path.GetFullPath(path)}");
        }
        throw new ArgumentException($"--journal {spec}: write none, sqlite (a file in the run directory) or sqlite:PATH.");
    }
}
