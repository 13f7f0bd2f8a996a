using ActorTrain.Actors.Transport.DataPlane;

namespace ActorTrain.Actors.Tests.Transport.DataPlane;

public sealed class BlobStoreTests
{
    [Fact]
    public void Release_WhileAConnectionWritesTheBlob_ReturnsItsArrayToThePoolOnlyWhenTheWriteEnds()
    {
        var pool = new BlobPool(capacity: 1 << 20);
        var store = new BlobStore(maxBytes: 1 << 20, pool);
        var bytes = pool.Rent(1000);
        var id = store.TryAdd(bytes, "node", DateTime.UtcNow)!.Value;
        var lease = store.TryLease(id)!;

        Assert.True(store.Release(id));
        Assert.Null(store.TryLease(id)); // released: no new writer
        Assert.Equal((0L, 0, 0L), (store.HeldBytes, store.HeldBlobs, pool.PooledBytes)); // still being written: not reusable yet

        lease.Dispose();
        lease.Dispose(); // idempotent
        Assert.Equal(1000, pool.PooledBytes);
        Assert.Same(bytes, pool.Rent(1000));
    }

    [Fact]
    public void TryAdd_BeyondTheLimit_IsRefusedAndHoldsNothingMore()
    {
        var store = new BlobStore(maxBytes: 1500);
        Assert.NotNull(store.TryAdd(new byte[1000], "a", DateTime.UtcNow));
        Assert.Null(store.TryAdd(new byte[600], "a", DateTime.UtcNow));
        Assert.Equal(1000, store.HeldBytes);
    }

    [Fact]
    public void ReleaseFor_AndExpiry_ReleaseOnlyTheirBlobs()
    {
        var store = new BlobStore(maxBytes: 1 << 20);
        var start = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        store.TryAdd(new byte[10], "gone", start);
        store.TryAdd(new byte[20], "gone", start.AddSeconds(30));
        store.TryAdd(new byte[40], "alive", start);
        store.TryAdd(new byte[80], "alive", start.AddSeconds(30));

        Assert.Equal(2, store.ReleaseFor("gone"));
        Assert.Equal(120, store.HeldBytes);
        Assert.Equal(1, store.ReleaseOfferedBefore(start.AddSeconds(10)));
        Assert.Equal((80L, 1, 3L), (store.HeldBytes, store.HeldBlobs, store.Released));
    }

    [Fact]
    public void Pool_BeyondItsCapacity_LeavesArraysToTheCollector()
    {
        var pool = new BlobPool(capacity: 1500);
        pool.Return(new byte[1000]);
        pool.Return(new byte[1000]);
        Assert.Equal(1000, pool.PooledBytes);
        Assert.Equal(1000, pool.Rent(1000).Length);
        Assert.Equal(0, pool.PooledBytes);
    }
}
