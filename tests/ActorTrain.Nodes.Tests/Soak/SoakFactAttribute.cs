namespace ActorTrain.Nodes.Tests.Soak;

/// <summary>
/// A test that runs for minutes: skipped in the default test run, run with ACTORTRAIN_SOAK=1 (README, "Operations").
/// </summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public const string Variable = "ACTORTRAIN_SOAK";

    public SoakFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
            Skip = $"soak test (minutes): {Variable}=1 dotnet test tests/ActorTrain.Nodes.Tests -c Release --filter FullyQualifiedName~Soak";
    }
}
