using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Transport;
using Akka.Actor;

namespace ActorTrain.Nodes.Bench;

/// <summary>
/// The far end of `actortrain bench transfer`, run as a second `actortrain` process (hidden command `transfer-peer`):
/// a cluster node with a <see cref="TransferSink"/>, and a plain TCP sink for the socket baseline. It prints
/// "transfer-peer ready AKKA-ADDRESS SOCKET-PORT" and runs until its standard input closes.
/// </summary>
public static class TransferPeer
{
    public const string ReadyLine = "transfer-peer ready";

    /// <summary>Socket buffer size of both ends of the baseline, the same as the data plane's connections.</summary>
    public const int SocketBufferBytes = 4 << 20;

    public static async Task<int> RunAsync(string seed, TextWriter output, CancellationToken cancellation)
    {
        var system = await ClusterNode.StartAsync(new NodeAddress("127.0.0.1", 0, [ClusterNode.SeedAddress(seed)], []), null, "ERROR",
            TimeSpan.FromSeconds(60), cancellation);
        system.ActorOf(Props.Create<TransferSink>(), TransferSink.Name);
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var sink = Task.Run(() => SinkAsync(listener, cancellation), cancellation);
        output.WriteLine($"{ReadyLine} {Akka.Cluster.Cluster.Get(system).SelfAddress} {((IPEndPoint)listener.LocalEndPoint!).Port}");
        output.Flush();
        try
        {
            await Task.Run(() => Console.In.ReadToEnd(), cancellation).WaitAsync(cancellation); // the parent closes stdin, or dies
        }
        catch (OperationCanceledException)
        {
        }
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10));
        listener.Close();
        await Task.WhenAny(sink, Task.Delay(1000));
        return 0;
    }

    /// <summary>Reads length-prefixed payloads into one reused buffer and answers each with one byte.</summary>
    private static async Task SinkAsync(Socket listener, CancellationToken cancellation)
    {
        try
        {
            using var socket = await listener.AcceptAsync(cancellation);
            Tune(socket);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var header = new byte[8];
            var buffer = Array.Empty<byte>();
            while (await stream.ReadAtLeastAsync(header, 8, throwOnEndOfStream: false, cancellation) == 8)
            {
                var size = checked((int)BinaryPrimitives.ReadInt64LittleEndian(header));
                if (buffer.Length < size) buffer = new byte[size];
                await stream.ReadExactlyAsync(buffer.AsMemory(0, size), cancellation);
                await stream.WriteAsync(new byte[] { 1 }, cancellation);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public static void Tune(Socket socket)
    {
        socket.NoDelay = true;
        socket.SendBufferSize = SocketBufferBytes;
        socket.ReceiveBufferSize = SocketBufferBytes;
    }
}
