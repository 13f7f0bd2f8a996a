using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ActorTrain.Actors.Hosting;
using ActorTrain.Actors.Protocol;
using ActorTrain.Actors.Transport;
using Akka.Actor;

namespace ActorTrain.Nodes.Bench;

/// <summary>One size of the transfer suite: throughputs in GB/s (10^9 bytes of tensor values per second), medians.</summary>
/// <param name="DataPlaneGbps">The serialized message as a blob: handle over Akka, bytes over the data plane, CRC-32C checked on arrival.</param>
/// <param name="DataPlaneMessageGbps">The message through TensorTransport over the data plane: encoding, the blob, decoding and delivery.</param>
/// <param name="ChunkedGbps">The message through TensorTransport as chunked Akka messages (encoding, chunks, decoding, delivery).</param>
/// <param name="SocketGbps">The same bytes over a plain TCP socket into a reused buffer.</param>
/// <param name="DataPlaneRatio">Data plane / plain socket.</param>
/// <param name="DataPlaneMessageRatio">Data plane message / plain socket.</param>
/// <param name="ChunkedRatio">Chunked Akka / plain socket.</param>
public sealed record TransferMeasurement(long SizeBytes, double DataPlaneGbps, double DataPlaneMessageGbps, double ChunkedGbps, double SocketGbps,
    double DataPlaneRatio, double DataPlaneMessageRatio, double ChunkedRatio);

/// <summary>
/// Suite `transfer`: a tensor message (one WorkerUpdate of SIZE bytes of float32) from this process to a second
/// `actortrain` process on 127.0.0.1, timed from send to the receiver's acknowledgement: over the data plane, as chunked
/// Akka messages, and the same bytes over a plain TCP socket (length prefix, one reused buffer, one-byte answer) — the
/// baseline. The headline ("data plane") moves the serialized message as a blob and checks its CRC-32C on arrival: the
/// transport alone, like the socket. The message routes add encoding, decoding into a new array and delivery; decoding
/// a message into fresh memory costs page faults (about 8 ms per MB on the development machine) whatever the route.
/// </summary>
public static class TransferBenchmark
{
    public static readonly long[] DefaultSizes = [1L << 20, 8L << 20, 64L << 20];
    private const int WarmUps = 4;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(120);

    public static IReadOnlyList<TransferMeasurement> Measure(IReadOnlyList<long> sizes, int rounds, TextWriter output)
    {
        using var cancellation = new CancellationTokenSource();
        var system = ClusterNode.StartAsync(new NodeAddress("127.0.0.1", 0, [], []), null, "ERROR", TimeSpan.FromSeconds(60), cancellation.Token)
            .GetAwaiter().GetResult();
        try
        {
            using var peer = PeerProcess.Start(Akka.Cluster.Cluster.Get(system).SelfAddress.ToString());
            var sink = system.ActorSelection(peer.AkkaAddress + "/user/" + TransferSink.Name).ResolveOne(Wait).GetAwaiter().GetResult();
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            TransferPeer.Tune(socket);
            socket.Connect(new IPEndPoint(IPAddress.Loopback, peer.SocketPort));
            using var stream = new NetworkStream(socket);
            output.WriteLine("size      data plane GB/s  data plane message GB/s  chunked Akka message GB/s  plain socket GB/s  data plane / socket  message / socket  chunked / socket");
            var rows = new List<TransferMeasurement>();
            foreach (var size in sizes)
            {
                var values = new float[size / sizeof(float)];
                new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
                var update = new WorkerUpdate("bench", 0, "bench", 1, 0, UpdateKind.Gradient, new TensorSet(["values"], [[values.Length]], values));
                var bytes = (double)values.Length * sizeof(float);
                var plane = Actors.Transport.DataPlane.DataPlane.For(system);
                var serialized = ((Actors.Serialization.TensorMessageSerializer)system.Serialization.FindSerializerFor(update)).ToBinary(update);
                var releasedBefore = plane.Stats.Released;
                var blob = bytes / Median(rounds, () => FetchOnce(system, sink, serialized)) / 1e9;
                var message = bytes / Median(rounds, () => SendOnce(system, sink, update, TransferRoute.DataPlane)) / 1e9;
                // Every blob and data plane send was fetched and released by the peer: none fell back to chunks.
                if (plane.Stats.Released - releasedBefore != 2 * (rounds + WarmUps))
                    throw new InvalidOperationException("Some data plane sends did not take the data plane: " + plane.Stats);
                var chunked = bytes / Median(rounds, () => SendOnce(system, sink, update, TransferRoute.Chunked)) / 1e9;
                var payload = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
                var plain = bytes / Median(rounds, () => SocketOnce(stream, payload)) / 1e9;
                var row = new TransferMeasurement(size, blob, message, chunked, plain, blob / plain, message / plain, chunked / plain);
                rows.Add(row);
                output.WriteLine(FormattableString.Invariant(
                    $"{size >> 20,4} MiB  {blob,15:F3}  {message,23:F3}  {chunked,25:F3}  {plain,17:F3}  {row.DataPlaneRatio,19:F3}  {row.DataPlaneMessageRatio,16:F3}  {row.ChunkedRatio,16:F3}"));
            }
            return rows;
        }
        finally
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// Median seconds of <paramref name="rounds"/> timings after <see cref="WarmUps"/> untimed ones: the first transfers of
    /// a size touch fresh memory, which costs about 8 ms per MB here (page faults), until the garbage collector reuses it.
    /// </summary>
    private static double Median(int rounds, Func<double> once)
    {
        for (var i = 0; i < WarmUps; i++) once();
        var times = Enumerable.Range(0, rounds).Select(_ => once()).Order().ToArray();
        return times[times.Length / 2];
    }

    private static double SendOnce(ActorSystem system, IActorRef sink, WorkerUpdate update, TransferRoute route)
    {
        var inbox = Inbox.Create(system);
        var clock = Stopwatch.StartNew();
        TensorTransport.For(system).Send(sink, update, inbox.Receiver, route);
        var ack = inbox.ReceiveAsync(Wait).GetAwaiter().GetResult();
        var seconds = clock.Elapsed.TotalSeconds;
        if (ack is not TransferReceived received || received.Bytes != (long)update.Tensors.Values.Length * sizeof(float))
            throw new InvalidOperationException($"The transfer peer answered {ack} to a {update.Tensors.Values.Length}-value message over {route}.");
        return seconds;
    }

    /// <summary>Offers <paramref name="serialized"/> (copied into a pooled array first, untimed) and times until the peer fetched and checked it.</summary>
    private static double FetchOnce(ActorSystem system, IActorRef sink, byte[] serialized)
    {
        var plane = Actors.Transport.DataPlane.DataPlane.For(system);
        var blob = plane.Rent(serialized.Length);
        serialized.CopyTo(blob, 0);
        var inbox = Inbox.Create(system);
        var clock = Stopwatch.StartNew();
        var handle = plane.TryOffer(blob, sink.Path.Address) ?? throw new InvalidOperationException("The data plane is not running or full: " + plane.Stats);
        sink.Tell(new FetchBlob(handle), inbox.Receiver);
        var ack = inbox.ReceiveAsync(Wait).GetAwaiter().GetResult();
        var seconds = clock.Elapsed.TotalSeconds;
        if (ack is not TransferReceived received || received.Bytes != serialized.Length)
            throw new InvalidOperationException($"The transfer peer answered {ack} to a {serialized.Length}-byte blob.");
        return seconds;
    }

    private static double SocketOnce(NetworkStream stream, byte[] payload)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(header, payload.Length);
        var clock = Stopwatch.StartNew();
        stream.Write(header);
        stream.Write(payload);
        if (stream.ReadByte() != 1) throw new InvalidOperationException("The transfer peer's socket sink closed the connection.");
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The second `actortrain` process: started, read until ready, and ended by closing its standard input.</summary>
    private sealed class PeerProcess : IDisposable
    {
        private readonly Process _process;

        private PeerProcess(Process process, string akkaAddress, int socketPort)
        {
            _process = process;
            AkkaAddress = akkaAddress;
            SocketPort = socketPort;
        }

        public string AkkaAddress { get; }

        public int SocketPort { get; }

        public static PeerProcess Start(string seed)
        {
            var executable = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "actortrain.exe" : "actortrain");
            if (!File.Exists(executable))
                throw new InvalidOperationException($"bench transfer runs a second actortrain process and did not find {executable}: run it from the built or published actortrain.");
            var start = new ProcessStartInfo(executable) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "transfer-peer", "--seed", seed }) start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            var errors = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
            process.BeginErrorReadLine();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                var line = process.StandardOutput.ReadLineAsync().WaitAsync(deadline - DateTime.UtcNow).GetAwaiter().GetResult();
                if (line is null) break;
                if (!line.StartsWith(TransferPeer.ReadyLine, StringComparison.Ordinal)) continue;
                var parts = line[TransferPeer.ReadyLine.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null); // keep draining what it prints
                return new PeerProcess(process, parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
            }
            process.Kill(entireProcessTree: true);
            lock (errors) throw new InvalidOperationException($"The transfer peer process did not come up: {errors}");
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15))) _process.Kill(entireProcessTree: true);
            _process.Dispose();
        }
    }
}
