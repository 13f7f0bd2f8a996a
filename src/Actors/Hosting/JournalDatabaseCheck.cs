using Microsoft.Data.Sqlite;
using Npgsql;

namespace ActorTrain.Actors.Hosting;

/// <summary>
/// Looks at a journal's database before Akka.Persistence opens it: a plugin that cannot use it would log a stack
/// trace and retry forever, and one that can would create its tables in whatever database it was given.
/// </summary>
internal static class JournalDatabaseCheck
{
    /// <summary>The table Akka.Persistence.Sql writes events to (its default table mapping).</summary>
    private const string JournalTable = "journal";

    /// <summary>
    /// Refuses a SQLite path that holds something other than a journal: a file that is not SQLite, or another
    /// program's database. A missing or empty file is a new journal unless <paramref name="mustHoldJournal"/>.
    /// Opens the file read-only: it is never changed here.
    /// </summary>
    public static void Sqlite(string spec, string path, bool mustHoldJournal)
    {
        var file = new FileInfo(path);
        var tables = file.Exists && file.Length > 0 ? SqliteTables(spec, path) : [];
        if (tables.Contains(JournalTable)) return;
        if (tables.Count > 0)
            throw new ArgumentException($"--journal {spec}: {path} is a SQLite database of something else (tables {string.Join(", ", tables.Order().Take(5))}; no {JournalTable} table); " +
                "name a journal ActorTrain wrote, or a new file.");
        if (mustHoldJournal)
            throw new ArgumentException($"--journal {spec}: {path} holds no journal yet; `actortrain run --journal {spec}` records one.");
    }

    private static HashSet<string> SqliteTables(string spec, string path)
    {
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString;
        try
        {
            using var database = new SqliteConnection(connection);
            database.Open();
            using var query = database.CreateCommand();
            query.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var rows = query.ExecuteReader();
            var tables = new HashSet<string>(StringComparer.Ordinal);
            while (rows.Read()) tables.Add(rows.GetString(0));
            return tables;
        }
        catch (SqliteException e)
        {
            throw new ArgumentException($"--journal {spec}: {path} is not a SQLite database ({e.Message.TrimEnd('.')}); name a journal ActorTrain wrote, or a new file.", e);
        }
    }

    /// <summary>Fails fast, before a cluster forms, when the database cannot be reached (or, to read it, holds no journal).</summary>
    public static void Postgres(string connectionString, string where, bool mustHoldJournal)
    {
        bool hasJournal;
        try
        {
            using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 10 }.ConnectionString);
            connection.Open();
            using var query = new NpgsqlCommand($"SELECT to_regclass('{JournalTable}') IS NOT NULL", connection);
            hasJournal = (bool)query.ExecuteScalar()!;
        }
        catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            throw new ArgumentException(
                $"--journal postgres: cannot reach the journal database at {where}: {e.Message}. Is PostgreSQL running there, and are the user and password right?", e);
        }
        if (mustHoldJournal && !hasJournal)
            throw new ArgumentException($"--journal postgres: the database at {where} holds no journal (no {JournalTable} table); check Database=, or record a run there first.");
    }
}
