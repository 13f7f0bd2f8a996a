namespace ActorTrain.Nodes.Configuration;

/// <summary>Configuration a user wrote that cannot be used; the message names the file or key and the fix.</summary>
public sealed class ConfigurationException(string message, Exception? inner = null) : Exception(message, inner);
