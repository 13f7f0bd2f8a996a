using ActorTrain.Tensors.Data;

namespace ActorTrain.Tensors.Tests.Data;

public sealed class FortunesTokenizerTests
{
    [Fact]
    public void Words_LowercasesLettersAndKeepsInnerApostrophes()
    {
        Assert.Equal(
            ["don't", "panic", "tis", "o'clock", "café's", "it's", "a", "b"],
            FortunesTokenizer.Words("Don't PANIC!\n\t'Tis 42 o\u2019clock -- Café's... 'it's' a-b"));
    }

    [Fact]
    public void Words_NoLetters_NoWords()
    {
        Assert.Empty(FortunesTokenizer.Words("  42 -- ''' %\n"));
    }

    [Fact]
    public void SplitEntries_SplitsOnLinesHoldingOnlyPercent()
    {
        var entries = FortunesTokenizer.SplitEntries("one\n100% sure\n%\ntwo\r\n%\n% not a separator\n");

        Assert.Equal(["one\n100% sure\n", "two\n", "% not a separator\n\n"], entries);
    }
}
