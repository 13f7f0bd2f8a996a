using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace ActorTrain.Actors.Tests;

/// <summary>
/// An Akka logger for tests that start actor systems of their own: keeps every log line of the systems configured
/// with the same capture key, so a test can assert on what a run said.
/// </summary>
internal sealed class LogCapture : ReceiveActor
{
    private const string KeyPath = "actortrain.test.log-capture";
    private static readonly ConcurrentDictionary<string, ConcurrentQueue<string>> Captured = new();

    public LogCapture()
    {
        var lines = Captured.GetOrAdd(Context.System.Settings.Config.GetString(KeyPath), _ => new ConcurrentQueue<string>());
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => lines.Enqueue(e.ToString()));
    }

    /// <summary>HOCON that routes a system's log here, under <paramref name="key"/>.</summary>
    public static string Config(string key) =>
        $"akka.loggers = [\"{typeof(LogCapture).FullName}, {typeof(LogCapture).Assembly.GetName().Name}\"]\n{KeyPath} = \"{key}\"";

    public static IReadOnlyCollection<string> Lines(string key) => Captured.GetOrAdd(key, _ => new ConcurrentQueue<string>());
}
