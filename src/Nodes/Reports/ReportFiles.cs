namespace ActorTrain.Nodes.Reports;

/// <summary>Writes a report file where the user asked, creating its folder.</summary>
public static class ReportFiles
{
    public static void Write(string path, string content)
    {
        if (Directory.Exists(path)) throw new IOException($"--json {path}: is a directory; give a file name.");
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllText(path, content);
    }
}
