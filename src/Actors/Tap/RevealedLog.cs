using ActorTrain.Actors.Protocol;

namespace ActorTrain.Actors.Tap;

/// <summary>revealed.jsonl: one JSON line per <see cref="LabelsRevealed"/> (<see cref="JsonLinesLog{T}"/>).</summary>
public static class RevealedLog
{
    public static IReadOnlyList<LabelsRevealed> ReadAll(string path) => JsonLinesLog<LabelsRevealed>.ReadAll(path);
}
