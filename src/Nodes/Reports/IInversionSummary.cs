using System.Text.Json.Serialization;

namespace ActorTrain.Nodes.Reports;

/// <summary>
/// A run result's "inversion" object: the split run's activation inversion (<see cref="InversionSummary"/>) or the
/// data-parallel run's gradient inversion (<see cref="GradientInversionSummary"/>). Written as the concrete record.
/// </summary>
[JsonDerivedType(typeof(InversionSummary))]
[JsonDerivedType(typeof(GradientInversionSummary))]
public interface IInversionSummary
{
    /// <summary>One line for the console.</summary>
    string Describe();
}
