using ActorTrain.Nodes.Configuration;
using ActorTrain.Tensors.Data;
using ActorTrain.Tensors.Training;
using ActorTrain.Tensors.Wire;

namespace ActorTrain.Nodes.Cli;

/// <summary>Turns the errors a user can cause into one clear line and an exit code, instead of a stack trace.</summary>
public static class UserErrors
{
    /// <summary>Exit code for input that cannot be used (configuration, options, data).</summary>
    public const int BadInput = 2;

    /// <summary>Exit code for a run that started but failed (e.g. training diverged).</summary>
    public const int Failed = 1;

    /// <summary>Exit code for a run interrupted with Ctrl-C.</summary>
    public const int Interrupted = 130;

    public static int Guard(TextWriter error, Func<int> command)
    {
        try
        {
            return command();
        }
        catch (Exception e) when (e is ConfigurationException or DatasetNotFoundException or IdxFormatException
                                      or FileNotFoundException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"error: {e.Message}");
            return BadInput;
        }
        catch (Exception e) when (e is NonFiniteValueException or TensorCodecException or InvalidOperationException)
        {
            error.WriteLine($"error: {e.Message}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("interrupted");
            return Interrupted;
        }
    }
}
