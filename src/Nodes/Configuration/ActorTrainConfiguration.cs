using Akka.Configuration;

namespace ActorTrain.Nodes.Configuration;

/// <summary>
/// The effective HOCON configuration: a user's file (if any) over the reference file embedded in the executable
/// (hocon/actortrain.conf in the source tree).
/// </summary>
public sealed class ActorTrainConfiguration
{
    private readonly string _source;

    private ActorTrainConfiguration(Config config, string? userFile)
    {
        Config = config;
        _source = userFile is null ? "the built-in configuration" : $"{userFile} over the built-in configuration";
    }

    public Config Config { get; }

    public static string ReferenceText()
    {
        using var stream = typeof(ActorTrainConfiguration).Assembly.GetManifestResourceStream("actortrain.conf")
            ?? throw new InvalidOperationException("The embedded reference configuration is missing from this build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <param name="userFile">A HOCON file whose keys override the reference, or null.</param>
    public static ActorTrainConfiguration Load(string? userFile)
    {
        var reference = ConfigurationFactory.ParseString(ReferenceText());
        if (userFile is null) return new ActorTrainConfiguration(reference, null);
        if (Directory.Exists(userFile))
            throw new ConfigurationException($"--config {userFile}: is a directory; give a HOCON file.");
        if (!File.Exists(userFile))
            throw new ConfigurationException($"--config {userFile}: file not found.");
        var text = File.ReadAllText(userFile);
        if (HoconSyntaxCheck.FindProblem(text) is { } problem)
            throw new ConfigurationException($"{userFile}: not valid HOCON: {problem}.");
        Config user;
        try
        {
            user = ConfigurationFactory.ParseString(text);
        }
        catch (Exception e)
        {
            throw new ConfigurationException($"{userFile}: not valid HOCON: {e.Message}", e);
        }
        return new ActorTrainConfiguration(user.WithFallback(reference), userFile);
    }

    public string GetString(string path) => Read(path, () => Config.GetString(path));

    public int GetInt(string path) => Read(path, () =>
    {
        var text = Config.GetString(path);
        return int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a whole number");
    });

    public double GetDouble(string path) => Read(path, () =>
    {
        var text = Config.GetString(path);
        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"'{text}' is not a number");
    });

    public int[] GetIntList(string path) => Read(path, () => Config.GetIntList(path).ToArray());

    private T Read<T>(string path, Func<T> read)
    {
        if (!Config.HasPath(path))
            throw new ConfigurationException($"Configuration key '{path}' is missing or empty (in {_source}).");
        try
        {
            return read();
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"Configuration key '{path}' (in {_source}): {e.Message}. See hocon/actortrain.conf for its type and default.", e);
        }
    }
}
