using System.Buffers.Binary;
using System.Collections.Concurrent;
using ActorTrain.Tensors.Wire;

namespace ActorTrain.Actors.Transport.DataPlane;

/// <summary>
/// Fetches blobs from peers' data ports over pooled connections (at most <c>connections-per-peer</c> per peer node, reused
/// across transfers). Each fetch reads the bytes straight into the array the message is decoded from, checks the CRC-32C
/// the handle announced, then tells the sender to release its copy. A broken connection, a timeout or a checksum
/// mismatch is retried on a fresh connection up to <c>attempts</c> times; then the fetch fails and its buffer is gone
/// (counted by <see cref="ReceivingBytes"/>, which returns to zero).
/// </summary>
internal sealed class DataPlaneClient(DataPlaneSettings settings, DataPlaneSecurity security, BlobPool? pool = null) : IDisposable
{
    /// <value>Bytes read before checksumming them: inside the cache.</value>
    private const int ChecksumSliceBytes = 1 << 20;

    private readonly ConcurrentDictionary<(string Host, int Port), Peer> _peers = new();
    private readonly ReceiveBudget _budget = new(settings.MaxReceivingBytes);
    private long _fetched;
    private long _checksumFailures;
    private long _retries;

    /// <value>Bytes of receive buffers of fetches in progress.</value>
    public long ReceivingBytes => _budget.InUse;

    public long Fetched => Interlocked.Read(ref _fetched);

    public long ChecksumFailures => Interlocked.Read(ref _checksumFailures);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Pooled connections open now (idle or busy), over all peers.</summary>
    public int OpenConnections => _peers.Values.Sum(p => p.Open);

    /// <returns>The bytes, in an array from the pool when there is one: hand it back when decoded.</returns>
    /// <exception cref="DataPlaneException">Every attempt failed; the message says why the last one did.</exception>
    public async Task<byte[]> FetchAsync(BlobHandle handle, CancellationToken cancellation = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var bytes = await FetchOnceAsync(handle, cancellation);
                Interlocked.Increment(ref _fetched);
                return bytes;
            }
            catch (Exception e) when (e is not (DataPlaneRefusedException or BlobGoneException) && !cancellation.IsCancellationRequested &&
                                      e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or DataPlaneException
                                          or System.Security.Authentication.AuthenticationException)
            {
                var reason = e is OperationCanceledException ? $"no progress within {settings.Timeout.TotalSeconds:F0} s" : e.Message;
                if (attempt >= settings.Attempts)
                    throw new DataPlaneException($"blob {handle.BlobId} ({handle.Size} bytes) from {handle.Host}:{handle.Port} failed {attempt} times; last: {reason}", e);
                Interlocked.Increment(ref _retries);
            }
        }
    }

    private async Task<byte[]> FetchOnceAsync(BlobHandle handle, CancellationToken cancellation)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(settings.Timeout);
        var peer = _peers.GetOrAdd((handle.Host, handle.Port), key => new Peer(key.Host, key.Port, settings.ConnectionsPerPeer, security));
        await _budget.AcquireAsync(handle.Size, timeout.Token);
        try
        {
            var connection = await peer.RentAsync(timeout.Token);
            var reusable = false;
            try
            {
                var stream = connection.Stream;
                await stream.WriteAsync(DataPlaneWire.Request(DataPlaneWire.OpFetch, handle.BlobId), timeout.Token);
                var header = new byte[9];
                await stream.ReadExactlyAsync(header, timeout.Token);
                var size = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(1));
                if (header[0] == DataPlaneWire.StatusUnknownBlob)
                {
                    reusable = true;
                    throw new BlobGoneException($"{handle.Host}:{handle.Port} no longer holds blob {handle.BlobId} (released, expired, or its node restarted)");
                }
                if (header[0] != DataPlaneWire.StatusOk || size != handle.Size)
                    throw new DataPlaneException($"blob {handle.BlobId}: the sender announced {handle.Size} bytes and now sends {size} (status {header[0]})");
                var bytes = pool?.Rent(checked((int)size)) ?? GC.AllocateUninitializedArray<byte>(checked((int)size));
                // The checksum follows the bytes in slices, while each slice is still in the cache.
                var state = ~0u;
                for (var offset = 0; offset < bytes.Length;)
                {
                    var slice = bytes.AsMemory(offset, Math.Min(ChecksumSliceBytes, bytes.Length - offset));
                    await stream.ReadExactlyAsync(slice, timeout.Token);
                    state = Crc32C.Update(state, slice.Span);
                    offset += slice.Length;
                }
                reusable = true; // the stream is in step again whatever the bytes hold
                var crc = ~state;
                if (crc != handle.Crc32C)
                {
                    Interlocked.Increment(ref _checksumFailures);
                    throw new DataPlaneException($"blob {handle.BlobId}: CRC-32C {crc:x8} does not match the announced {handle.Crc32C:x8}");
                }
                await stream.WriteAsync(DataPlaneWire.Request(DataPlaneWire.OpRelease, handle.BlobId), timeout.Token);
                return bytes;
            }
            finally
            {
                await peer.ReturnAsync(connection, reusable);
            }
        }
        finally
        {
            _budget.Release(handle.Size);
        }
    }

    /// <summary>Closes the pooled connections to a peer's data port (its node left the cluster).</summary>
    public void ForgetPeer(string host, int port)
    {
        if (_peers.TryRemove((host, port), out var peer)) peer.Dispose();
    }

    public void Dispose()
    {
        foreach (var peer in _peers.Values) peer.Dispose();
        _peers.Clear();
    }

    /// <summary>The connections to one peer: a slot per allowed connection, idle ones kept for reuse.</summary>
    private sealed class Peer(string host, int port, int connections, DataPlaneSecurity security) : IDisposable
    {
        private readonly SemaphoreSlim _slots = new(connections, connections);
        private readonly ConcurrentBag<DataPlaneConnection> _idle = [];
        private int _open;
        private volatile bool _disposed;

        public int Open => Volatile.Read(ref _open);

        public async Task<DataPlaneConnection> RentAsync(CancellationToken cancellation)
        {
            await _slots.WaitAsync(cancellation);
            if (_idle.TryTake(out var idle)) return idle;
            try
            {
                var connection = await DataPlaneConnection.OpenAsync(host, port, security, cancellation);
                Interlocked.Increment(ref _open);
                return connection;
            }
            catch
            {
                _slots.Release();
                throw;
            }
        }

        public async ValueTask ReturnAsync(DataPlaneConnection connection, bool reusable)
        {
            if (reusable && !_disposed) _idle.Add(connection);
            else
            {
                Interlocked.Decrement(ref _open);
                await connection.DisposeAsync();
            }
            _slots.Release();
        }

        public void Dispose()
        {
            _disposed = true;
            while (_idle.TryTake(out var connection))
            {
                Interlocked.Decrement(ref _open);
                connection.DisposeAsync().AsTask().Wait();
            }
        }
    }
}
