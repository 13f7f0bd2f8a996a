using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace ActorTrain.Nodes.Tests.Cli;

/// <summary>
/// The network between the nodes of a test cluster, as a TCP relay this test controls. Each node binds a private port
/// (akka.remote.dot-netty.tcp.port) and advertises a public one (public-port) on which the relay listens, so every
/// connection between two nodes passes through it. The relay learns which node opened a connection from the origin
/// address in Akka's handshake (the first frame: AddressData.port, protobuf field 3) and can cut a node off: the
/// relay stops reading and writing every connection to or from it (the peers' kernels buffer, then their writes
/// stall, as on a pulled cable; nothing is reset), and on heal it delivers what was held back and carries on.
/// </summary>
internal sealed class NetworkCutProxy : IDisposable
{
    private const int HandshakeBytes = 512;
    private readonly Dictionary<string, int> _publicPorts = [];
    private readonly List<TcpListener> _listeners = [];
    private readonly ConcurrentDictionary<string, bool> _cut = new();
    private readonly ConcurrentBag<TcpClient> _connections = [];
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Puts the relay in front of a node: returns (public port to advertise, private port to bind).</summary>
    public (int PublicPort, int BindPort) Front(string node)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var publicPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        var bindPort = ActorTrainProcess.FreePort();
        lock (_publicPorts) _publicPorts[node] = publicPort;
        _listeners.Add(listener);
        _ = AcceptLoop(listener, node, bindPort);
        return (publicPort, bindPort);
    }

    public int PublicPort(string node)
    {
        lock (_publicPorts) return _publicPorts[node];
    }

    public void Cut(string node) => _cut[node] = true;

    public void Heal(string node) => _cut.TryRemove(node, out _);

    private bool IsCut(string? origin, string target) => _cut.ContainsKey(target) || (origin is not null && _cut.ContainsKey(origin));

    private async Task AcceptLoop(TcpListener listener, string target, int bindPort)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            _ = Relay(inbound, target, bindPort);
        }
    }

    private async Task Relay(TcpClient inbound, string target, int bindPort)
    {
        using var _ = inbound;
        using var outbound = new TcpClient();
        _connections.Add(inbound);
        _connections.Add(outbound);
        try
        {
            while (IsCut(null, target)) await Task.Delay(20, _stop.Token);
            await outbound.ConnectAsync(IPAddress.Loopback, bindPort, _stop.Token);
            var (first, origin) = await ReadHandshake(inbound.GetStream());
            var forward = Pump(inbound.GetStream(), outbound.GetStream(), first, () => IsCut(origin, target));
            var back = Pump(outbound.GetStream(), inbound.GetStream(), [], () => IsCut(origin, target));
            await Task.WhenAny(forward, back);
        }
        catch (Exception)
        {
            // A node that exits or a test that ends closes its connections: nothing to relay any more.
        }
    }

    /// <summary>The first bytes a node sends (its Associate) and the node they name as origin, when known.</summary>
    private async Task<(byte[] Bytes, string? Origin)> ReadHandshake(NetworkStream stream)
    {
        var buffer = new byte[HandshakeBytes];
        var read = 0;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        wait.CancelAfter(TimeSpan.FromSeconds(5));
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer.AsMemory(read), wait.Token);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                break;
            }
            if (n == 0) break;
            read += n;
            var origin = OriginIn(buffer.AsSpan(0, read));
            if (origin is not null) return (buffer[..read], origin);
        }
        return (buffer[..read], null);
    }

    private string? OriginIn(ReadOnlySpan<byte> bytes)
    {
        lock (_publicPorts)
            foreach (var (node, port) in _publicPorts)
                if (bytes.IndexOf(PortField(port)) >= 0) return node;
        return null;
    }

    /// <summary>Protobuf field 3 (varint) holding the port: tag 0x18, then the port in 7-bit groups.</summary>
    private static byte[] PortField(int port)
    {
        var bytes = new List<byte> { 0x18 };
        var value = (uint)port;
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    private async Task Pump(NetworkStream from, NetworkStream to, byte[] first, Func<bool> cut)
    {
        var buffer = new byte[64 * 1024];
        var pending = first;
        while (!_stop.IsCancellationRequested)
        {
            while (cut()) await Task.Delay(20, _stop.Token);
            if (pending.Length > 0)
            {
                await to.WriteAsync(pending, _stop.Token);
                pending = [];
            }
            var n = await from.ReadAsync(buffer, _stop.Token);
            if (n == 0) return;
            pending = buffer[..n];
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var listener in _listeners) listener.Stop();
        foreach (var connection in _connections) connection.Dispose();
        _stop.Dispose();
    }
}
