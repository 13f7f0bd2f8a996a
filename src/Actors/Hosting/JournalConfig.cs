using Akka.Configuration;

namespace ActorTrain.Actors.Hosting;

/// <summary>
/// Where the parameter server journals its steps: nowhere (in memory, lost with the process), a SQLite file
/// (Akka.Persistence.Sql, provider SQLite.MS; one writer at a time, one machine), or PostgreSQL (provider
/// PostgreSQL.15 through Npgsql; shared by parameter-server nodes on several machines).
/// </summary>
public static class JournalConfig
{
    public static readonly IReadOnlyList<string> Kinds = ["none", "sqlite[:PATH]", "postgres:CONNECTION-STRING"];

    /// <summary>In-memory journal and snapshot store: nothing survives the process.</summary>
    public static Config None { get; } = ConfigurationFactory.ParseString("""
        akka.persistence.journal.plugin = "akka.persistence.journal.inmem"
        akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
        """);

    /// <summary>
    /// The journal's and snapshot store's circuit breakers practically off: the parameter server's restart backoff
    /// already spaces its attempts. Akka's defaults open them after 10 and 5 failures for 30 s and 60 s, which
    /// would delay the resume after the database is back by up to a minute; and measured here (PostgreSQL closed
    /// for 15 s), a half-open snapshot store breaker lost a snapshot load, so recovery waited out its 30 s timeout.
    /// </summary>
    private const string CircuitBreakers = """
        journal.sql.circuit-breaker { max-failures = 1000000, call-timeout = 10s, reset-timeout = 2s }
        snapshot-store.sql.circuit-breaker { max-failures = 1000000, call-timeout = 20s, reset-timeout = 2s }
        """;

    /// <summary>
    /// Names the journal a configuration uses, without credentials, for log lines: "postgres:HOST:PORT/DATABASE",
    /// "sqlite:PATH" or "in-memory".
    /// </summary>
    public static string Describe(Config config)
    {
        if (config.GetString("akka.persistence.journal.plugin") != "akka.persistence.journal.sql") return "in-memory";
        var connection = config.GetString("akka.persistence.journal.sql.connection-string");
        var provider = config.GetString("akka.persistence.journal.sql.provider-name") ?? "";
        try
        {
            if (provider.StartsWith("PostgreSQL", StringComparison.Ordinal))
            {
                var postgres = new Npgsql.NpgsqlConnectionStringBuilder(connection);
                return $"postgres:{postgres.Host}:{postgres.Port}/{postgres.Database}";
            }
            if (provider.StartsWith("SQLite", StringComparison.Ordinal))
                return $"sqlite:{new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection).DataSource}";
        }
        catch (ArgumentException)
        {
            // an unparsable string names no database; say which provider at least
        }
        return $"sql ({provider})";
    }

    /// <summary>Journal and snapshots in one SQLite file (created with its tables when missing).</summary>
    /// <param name="create">Create the file's folder, and the tables when missing (false: read an existing journal).</param>
    public static Config Sqlite(string path, bool create = true)
    {
        var full = Path.GetFullPath(path);
        if (create) Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var connection = $"Data Source={full}".Replace("\\", "\\\\").Replace("\"", "\\\"");
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = "{{connection}}", provider-name = "SQLite.MS", parallelism = 1, auto-initialize = {{Initialize(create)}} }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = "{{connection}}", provider-name = "SQLite.MS", auto-initialize = {{Initialize(create)}} }
              }
              {{CircuitBreakers}}
              query.journal.sql { connection-string = "{{connection}}", provider-name = "SQLite.MS" }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>Journal and snapshots in a PostgreSQL database (tables created on first use).</summary>
    /// <param name="create">Create the tables when missing (false: read an existing journal).</param>
    public static Config Postgres(string connectionString, bool create = true)
    {
        var connection = connectionString.Replace("\\", "\\\\").Replace("\"", "\\\"");
        return ConfigurationFactory.ParseString($$"""
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql { connection-string = "{{connection}}", provider-name = "PostgreSQL.15", auto-initialize = {{Initialize(create)}} }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql { connection-string = "{{connection}}", provider-name = "PostgreSQL.15", auto-initialize = {{Initialize(create)}} }
              }
              {{CircuitBreakers}}
              query.journal.sql { connection-string = "{{connection}}", provider-name = "PostgreSQL.15" }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// A journal to read (`runs`, `replay`): "sqlite:PATH" of an existing journal, or "postgres:CONNECTION-STRING" of a
    /// database that holds one. Reading creates nothing: neither a file nor tables.
    /// </summary>
    public static (Config Config, string Description) OpenExisting(string spec)
    {
        if (spec == "none") throw new ArgumentException("--journal none holds no runs; give sqlite:PATH or postgres:CONNECTION-STRING.");
        if (spec == "sqlite")
            throw new ArgumentException("--journal sqlite is the journal.db in a new run's directory (for `run`); to read one, give its path: sqlite:runs/RUN/journal.db.");
        if (spec.StartsWith("sqlite:", StringComparison.Ordinal) && spec.Length > 7)
        {
            var path = spec[7..];
            if (Directory.Exists(path)) throw new ArgumentException($"--journal {spec}: {path} is a directory; name the journal's file.");
            if (!File.Exists(path)) throw new FileNotFoundException($"--journal {spec}: no such file.");
            JournalDatabaseCheck.Sqlite(spec, path, mustHoldJournal: true);
            return (Sqlite(path, create: false), $"sqlite:{Path.GetFullPath(path)}");
        }
        if (spec.StartsWith("postgres:", StringComparison.Ordinal) && spec.Length > 9)
        {
            var connection = spec[9..];
            var where = PostgresLocation(connection);
            JournalDatabaseCheck.Postgres(connection, where, mustHoldJournal: true);
            return (Postgres(connection, create: false), $"postgres:{where}");
        }
        throw new ArgumentException($"--journal {spec}: give sqlite:PATH or postgres:CONNECTION-STRING.");
    }

    /// <summary>Parses "none", "sqlite" (the file <paramref name="defaultSqlitePath"/>), "sqlite:PATH" or "postgres:CONNECTION-STRING".</summary>
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
            JournalDatabaseCheck.Sqlite(spec, path, mustHoldJournal: false);
            return (Sqlite(path, create), true, $"sqlite:{Path.GetFullPath(path)}");
        }
        if (spec.StartsWith("postgres:", StringComparison.Ordinal) && spec.Length > 9)
        {
            var connection = spec[9..];
            var where = PostgresLocation(connection);
            if (create) JournalDatabaseCheck.Postgres(connection, where, mustHoldJournal: false);
            return (Postgres(connection), true, $"postgres:{where}");
        }
        throw new ArgumentException($"--journal {spec}: write none, sqlite (a file in the run directory), sqlite:PATH or postgres:CONNECTION-STRING.");
    }

    /// <summary>"HOST:PORT/DATABASE" of a connection string (for messages: no credentials).</summary>
    private static string PostgresLocation(string connection)
    {
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(connection);
            return $"{builder.Host}:{builder.Port}/{builder.Database}";
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--journal postgres:...: not a PostgreSQL connection string ({e.Message}). Example: postgres:Host=127.0.0.1;Username=actortrain;Password=...;Database=actortrain", e);
        }
    }

    private static string Initialize(bool create) => create ? "true" : "false";
}
