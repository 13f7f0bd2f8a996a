using System.Net;
using System.Net.Sockets;
using ActorTrain.Actors.Security;
using ActorTrain.Actors.Transport.DataPlane;
using ActorTrain.Tensors.Wire;
using Akka.Event;

namespace ActorTrain.Actors.Tests.Transport.DataPlane;

/// <summary>A data plane server and client on 127.0.0.1, without actor systems.</summary>
internal sealed class DataPlaneHarness : IDisposable
{
    public DataPlaneHarness(DataPlaneSettings? settings = null, ClusterSecurity? serverSecurity = null, ClusterSecurity? clientSecurity = null)
    {
        Settings = settings ?? Defaults;
        Store = new BlobStore(Settings.MaxHeldBytes);
        Server = new DataPlaneServer("127.0.0.1", 0, Store, new DataPlaneSecurity(serverSecurity ?? ClusterSecurity.None), Settings.Timeout, NoLogger.Instance);
        Client = new DataPlaneClient(Settings, new DataPlaneSecurity(clientSecurity ?? serverSecurity ?? ClusterSecurity.None));
    }

    public static DataPlaneSettings Defaults { get; } = new(true, "127.0.0.1", "127.0.0.1", 0, 256 * 1024, 1L << 32, 1L << 31, 4,
        TimeSpan.FromSeconds(20), 3, TimeSpan.FromSeconds(60), 1L << 30);

    public DataPlaneSettings Settings { get; }

    public BlobStore Store { get; }

    public DataPlaneServer Server { get; }

    public DataPlaneClient Client { get; }

    public BlobHandle Offer(byte[] bytes)
    {
        var id = Store.TryAdd(bytes, "akka.tcp://actortrain@127.0.0.1:1", DateTime.UtcNow) ?? throw new InvalidOperationException("store full");
        return new BlobHandle("akka.tcp://actortrain@127.0.0.1:1", "127.0.0.1", Server.Port, id, bytes.LongLength, Crc32C.Compute(bytes));
    }

    public static byte[] RandomBytes(long size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Waits until <paramref name="condition"/> holds (the sender releases a fetched blob when the release request arrives).</summary>
    public static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting until {what}.");
            await Task.Delay(10);
        }
    }

    public void Dispose()
    {
        Client.Dispose();
        Server.Dispose();
    }
}

/// <summary>
/// A peer that handshakes like a data plane and then misbehaves: sends half of what it announced and closes the
/// connection (a process killed mid-transfer), or never answers. Counts the connections it accepted.
/// </summary>
internal sealed class MisbehavingPeer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public MisbehavingPeer(long announcedBytes, bool silent = false)
    {
        _listener.Start();
        _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                Interlocked.Increment(ref _connections);
                _ = Task.Run(async () =>
                {
                    await using var stream = new NetworkStream(socket, ownsSocket: true);
                    await DataPlaneWire.ServerHandshakeAsync(stream, null, _stop.Token);
                    await stream.ReadExactlyAsync(new byte[9], _stop.Token);
                    if (silent)
                    {
                        await Task.Delay(Timeout.Infinite, _stop.Token);
                        return;
                    }
                    await stream.WriteAsync(DataPlaneWire.FetchHeader(DataPlaneWire.StatusOk, announcedBytes), _stop.Token);
                    await stream.WriteAsync(new byte[announcedBytes / 2], _stop.Token);
                    socket.Close(0); // reset: the process died
                });
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections => Volatile.Read(ref _connections);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
    }
}
