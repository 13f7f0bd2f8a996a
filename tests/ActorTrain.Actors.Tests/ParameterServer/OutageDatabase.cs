using Npgsql;

namespace ActorTrain.Actors.Tests.ParameterServer;

/// <summary>
/// A PostgreSQL database of one test's own, which the test can close to every client mid-run (no new connections,
/// open ones terminated) and open again. Needs a role that may create databases (deploy/install-prerequisites.sh).
/// </summary>
internal sealed class OutageDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private OutageDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<OutageDatabase> CreateAsync(string adminConnection)
    {
        var database = new OutageDatabase(adminConnection, $"actortrain_outage_{Guid.NewGuid():N}");
        await database.ExecuteAsync($"CREATE DATABASE {database.Name}");
        return database;
    }

    /// <summary>The database refuses new connections and its open ones are cut, as when its server goes away.</summary>
    public void Close()
    {
        ExecuteAsync($"ALTER DATABASE {Name} ALLOW_CONNECTIONS false").GetAwaiter().GetResult();
        ExecuteAsync($"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{Name}'").GetAwaiter().GetResult();
    }

    public Task OpenAsync() => ExecuteAsync($"ALTER DATABASE {Name} ALLOW_CONNECTIONS true");

    public async ValueTask DisposeAsync()
    {
        await OpenAsync();
        NpgsqlConnection.ClearPool(new NpgsqlConnection(ConnectionString));
        // FORCE cannot end a backend of another role (an autovacuum worker that just got in): try again shortly.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteAsync($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
                return;
            }
            catch (PostgresException) when (attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200));
            }
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
