using ActorTrain.Actors.Protocol;
using Akka.Actor;

namespace ActorTrain.Actors.Tap;

/// <summary>Waits until a tap has finished the updates it still holds (at the end of a run), then reports.</summary>
public static class TapDrain
{
    /// <returns>The report once drained, or the last one when <paramref name="limit"/> passes first (Queued then says what was left).</returns>
    public static async Task<TapReport> WaitAsync(IActorRef tap, TimeSpan limit, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var report = await tap.Ask<TapReport>(GetTapReport.Instance, TimeSpan.FromSeconds(30), cancellation);
            if (report.Drained || DateTime.UtcNow >= deadline) return report;
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation);
        }
    }
}
