// MSBuild task (compiled by RoslynCodeTaskFactory from build/TorchSharpNativePatch.targets).
//
// TorchSharp 0.107's libLibTorchSharp.so declares a version need for GLIBCXX_3.4.32 (GCC 13) because of one
// dynamic symbol, _ZSt21ios_base_library_initv, that no relocation uses. Debian 12 ships GLIBCXX_3.4.30, so the
// loader refuses the library. Marking that one Elf64_Vernaux entry VER_FLG_WEAK (0x2) makes glibc treat a missing
// version as non-fatal; on systems whose libstdc++ has 3.4.32 the patched file behaves identically.
// See ../shared/notes/ENVIRONMENT.md. Applied only to copies in build/publish outputs, never to the NuGet cache.
using System;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public sealed class WeakenGlibcxxVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlagWeak = 0x2;

    [Required] public ITaskItem[] Libraries { get; set; } = Array.Empty<ITaskItem>();

    [Required] public string VersionName { get; set; } = "";

    public override bool Execute()
    {
        foreach (var item in Libraries)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var bytes = File.ReadAllBytes(path);
                var outcome = Weaken(bytes, VersionName);
                if (outcome == "patched")
                {
                    // Write a fresh file and move it over the old one: a hard link into the NuGet cache is never written through.
                    var temp = path + ".patching";
                    var copiedAt = File.GetLastWriteTimeUtc(path);
                    File.WriteAllBytes(temp, bytes);
                    File.Delete(path);
                    File.Move(temp, path);
                    // Same size and time as the package's file, so incremental builds skip the copy and keep the patch.
                    File.SetLastWriteTimeUtc(path, copiedAt);
                    Log.LogMessage(MessageImportance.High, $"TorchSharp native patch: {VersionName} made weak in {path}");
                }
                else
                {
                    Log.LogMessage(MessageImportance.Low, $"TorchSharp native patch: {path}: {outcome}");
                }
            }
            catch (Exception e)
            {
                Log.LogError($"TorchSharp native patch failed for {path}: {e.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    /// <returns>"patched", "already weak" or "no such version need".</returns>
    private static string Weaken(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a little-endian ELF64 file");

        var sectionTable = checked((int)U64(elf, 0x28));
        var sectionSize = U16(elf, 0x3A);
        var sectionCount = U16(elf, 0x3C);

        for (var s = 0; s < sectionCount; s++)
        {
            var header = sectionTable + s * sectionSize;
            if (U32(elf, header + 4) != ShtGnuVerneed) continue;

            var offset = checked((int)U64(elf, header + 24));
            var stringSectionIndex = (int)U32(elf, header + 40);
            var needCount = U32(elf, header + 44);
            var strings = checked((int)U64(elf, sectionTable + stringSectionIndex * sectionSize + 24));

            var need = offset;
            for (var n = 0; n < needCount; n++)
            {
                var auxCount = U16(elf, need + 2);
                var aux = need + (int)U32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var nameOffset = strings + (int)U32(elf, aux + 8);
                    var end = Array.IndexOf(elf, (byte)0, nameOffset);
                    if (Encoding.ASCII.GetString(elf, nameOffset, end - nameOffset) == versionName)
                    {
                        var flags = U16(elf, aux + 4);
                        if ((flags & VerFlagWeak) != 0) return "already weak";
                        elf[aux + 4] = (byte)(flags | VerFlagWeak);
                        elf[aux + 5] = (byte)((flags | VerFlagWeak) >> 8);
                        return "patched";
                    }
                    aux += (int)U32(elf, aux + 12);
                }
                need += (int)U32(elf, need + 12);
            }
        }
        return "no such version need";
    }

    // Task factories compile against netstandard2.0, which lacks BinaryPrimitives: ELF64 here is little-endian.
    private static ushort U16(byte[] b, int at) => (ushort)(b[at] | b[at + 1] << 8);

    private static uint U32(byte[] b, int at) => (uint)(U16(b, at) | U16(b, at + 2) << 16);

    private static ulong U64(byte[] b, int at) => U32(b, at) | (ulong)U32(b, at + 4) << 32;
}
