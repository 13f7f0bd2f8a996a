using System.Net.Sockets;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>One authenticated connection to a peer's data port; one request at a time.</summary>
internal sealed class DataPlaneConnection(Stream stream) : IAsyncDisposable
{
    /// <value>Socket buffers: large enough that one write or read moves megabytes per system call.</value>
    private const int SocketBufferBytes = 4 << 20;

    public Stream Stream { get; } = stream;

    public static void Tune(Socket socket)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = SocketBufferBytes;
        socket.ReceiveBufferSize = SocketBufferBytes;
    }

    public static async Task<DataPlaneConnection> OpenAsync(string host, int port, DataPlaneSecurity security, CancellationToken cancellation)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        Tune(socket);
        try
        {
            await socket.ConnectAsync(host, port, cancellation);
            var stream = await security.ClientAsync(new NetworkStream(socket, ownsSocket: true), host, cancellation);
            await DataPlaneWire.ClientHandshakeAsync(stream, security.Secret, cancellation);
            return new DataPlaneConnection(stream);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public ValueTask DisposeAsync() => Stream.DisposeAsync();
}
