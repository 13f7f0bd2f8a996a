using ActorTrain.Actors.UpdateStream;

namespace ActorTrain.Actors.Tests.UpdateStream;

public sealed class DropOldestQueueTests
{
    [Fact]
    public void Enqueue_PastCapacity_DropsOldestAndCountsEachDrop()
    {
        var queue = new DropOldestQueue<int>(capacity: 3);

        var dropped = Enumerable.Range(0, 5).Select(queue.Enqueue).ToArray();

        Assert.Equal([false, false, false, true, true], dropped);
        Assert.Equal(2, queue.Dropped);
        Assert.Equal(3, queue.Count);
        var left = new List<int>();
        while (queue.TryDequeue(out var item)) left.Add(item);
        Assert.Equal([2, 3, 4], left);
    }

    [Fact]
    public void Enqueue_AfterDequeueMadeRoom_DropsNothing()
    {
        var queue = new DropOldestQueue<int>(capacity: 1);
        queue.Enqueue(1);
        Assert.True(queue.TryDequeue(out _));

        Assert.False(queue.Enqueue(2));
        Assert.Equal(0, queue.Dropped);
    }
}
