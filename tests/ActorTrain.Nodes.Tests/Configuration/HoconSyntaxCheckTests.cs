using ActorTrain.Nodes.Configuration;

namespace ActorTrain.Nodes.Tests.Configuration;

public sealed class HoconSyntaxCheckTests
{
    [Theory]
    [InlineData("a { b = [1, 2 }", "line 1, column 15: '}' closes the '[' opened at line 1, column 9")]
    [InlineData("a.b = \"x }", "line 1, column 7: string is not closed on its line")]
    [InlineData("a {\n  b = 1\n", "line 1, column 3: '{' is never closed")]
    [InlineData("a = 1 }", "line 1, column 7: '}' closes nothing")]
    [InlineData("a = \"\"\"never", "line 1, column 5: triple-quoted string is never closed")]
    public void FindProblem_BrokenStructure_SaysWhereAndWhat(string text, string expected) =>
        Assert.Equal(expected, HoconSyntaxCheck.FindProblem(text));

    [Fact]
    public void FindProblem_ReferenceConfiguration_IsSound() =>
        Assert.Null(HoconSyntaxCheck.FindProblem(ActorTrainConfiguration.ReferenceText()));

    [Theory]
    [InlineData("a = \"}{\" # } in a comment\n// ] too\nb = [1, \"]\"]")]
    [InlineData("a = \"\"\"multi\n{ line\"\"\"\nb { c = \"x\\\"y\" }")]
    public void FindProblem_BracketsInsideStringsAndComments_AreIgnored(string text) =>
        Assert.Null(HoconSyntaxCheck.FindProblem(text));
}
