using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Akka.Event;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// Listens on the node's data port and serves the blobs of its <see cref="BlobStore"/>: one task per connection,
/// requests in order (fetch, release), each blob written straight from the serialized message's array (no copy).
/// Connections that fail the handshake are closed.
/// </summary>
internal sealed class DataPlaneServer : IDisposable
{
    private readonly Socket _listener;
    private readonly BlobStore _store;
    private readonly DataPlaneSecurity _security;
    private readonly TimeSpan _timeout;
    private readonly ILoggingAdapter _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly HashSet<Socket> _connections = [];
    private long _refused;

    public DataPlaneServer(string host, int port, BlobStore store, DataPlaneSecurity security, TimeSpan timeout, ILoggingAdapter log)
    {
        _store = store;
        _security = security;
        _timeout = timeout;
        _log = log;
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, port));
        _listener.Listen(128);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptAsync();
    }

    /// <value>The port this node's data plane listens on.</value>
    public int Port { get; }

    /// <summary>Connections refused at the handshake (bad magic, version, certificate or secret).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.Warning("Data plane: accept failed: {0}", e.Message);
                continue;
            }
            lock (_connections) _connections.Add(socket);
            _ = ServeAsync(socket);
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        DataPlaneConnection.Tune(socket);
        var peer = socket.RemoteEndPoint;
        try
        {
            await using var network = new NetworkStream(socket, ownsSocket: true);
            Stream stream;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
            {
                handshake.CancelAfter(_timeout);
                stream = await _security.ServerAsync(network, handshake.Token);
                if (!await DataPlaneWire.ServerHandshakeAsync(stream, _security.Secret, handshake.Token))
                {
                    Interlocked.Increment(ref _refused);
                    _log.Warning("Data plane: refused a connection from {0}: it did not prove the cluster secret or speaks another protocol version.", peer);
                    return;
                }
            }
            await using (stream) await ServeRequestsAsync(stream);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            if (e is System.Security.Authentication.AuthenticationException)
            {
                Interlocked.Increment(ref _refused);
                _log.Warning("Data plane: refused a connection from {0}: TLS failed ({1}).", peer, e.Message);
            }
            // Otherwise the peer went away; its fetch is retried or reported on its side.
        }
        finally
        {
            lock (_connections) _connections.Remove(socket);
        }
    }

    private async Task ServeRequestsAsync(Stream stream)
    {
        var request = new byte[9];
        while (true)
        {
            // A pooled connection idles here between transfers: no timeout on the wait for the next request.
            if (await stream.ReadAtLeastAsync(request, request.Length, throwOnEndOfStream: false, _stop.Token) < request.Length) return;
            var id = BinaryPrimitives.ReadInt64LittleEndian(request.AsSpan(1));
            switch (request[0])
            {
                case DataPlaneWire.OpFetch:
                    using (var write = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
                    {
                        write.CancelAfter(_timeout);
                        using var lease = _store.TryLease(id);
                        await stream.WriteAsync(DataPlaneWire.FetchHeader(lease is null ? DataPlaneWire.StatusUnknownBlob : DataPlaneWire.StatusOk, lease?.Bytes.LongLength ?? 0), write.Token);
                        if (lease is not null) await stream.WriteAsync(lease.Bytes, write.Token);
                        await stream.FlushAsync(write.Token);
                    }
                    break;
                case DataPlaneWire.OpRelease:
                    _store.Release(id);
                    break;
                default:
                    _log.Warning("Data plane: unknown request {0}; closing the connection.", request[0]);
                    return;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_connections)
            foreach (var socket in _connections)
                socket.Dispose();
    }
}
