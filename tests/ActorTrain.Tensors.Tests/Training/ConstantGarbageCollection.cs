namespace ActorTrain.Tensors.Tests.Training;

/// <summary>Runs code while another thread collects garbage and runs finalizers without pause (the Scalar-lifetime race).</summary>
internal static class ConstantGarbageCollection
{
    public static async Task During(Action action)
    {
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });
        try
        {
            action();
        }
        finally
        {
            stop.Cancel();
            await collector;
        }
    }
}
