namespace Sim.Shared;

/// <summary>
/// Checks a directory a verb will write to before any work starts: it must not be a file, it must be possible to
/// create it, and to write in it. A verb that only found out after its work (a long exploration, a campaign) would
/// lose that work; so every writing verb calls this first.
/// </summary>
public static class OutputDirectory
{
    /// <summary>Creates <paramref name="path"/> if needed and proves it writable; else <see cref="BadInputException"/> <c>--out '&lt;path&gt;': &lt;reason&gt;</c>.</summary>
    public static void Prepare(string path, string option)
    {
        if (path.Length == 0)
        {
            throw Bad(path, option, "an empty path");
        }

        if (File.Exists(path))
        {
            throw Bad(path, option, "is a file, not a directory");
        }

        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw Bad(path, option, $"cannot create it: {Reason(path, e)}");
        }

        var probe = Path.Combine(path, $".sim-write-probe-{Environment.ProcessId}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Bad(path, option, $"cannot write to it: {Reason(path, e)}");
        }
    }

    private static BadInputException Bad(string path, string option, string reason) => new($"{option} '{path}': {reason}");

    /// <summary>Why a directory could not be made or written, in words (an ancestor that is a file, or permission).</summary>
    private static string Reason(string path, Exception e)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir))
            {
                return $"'{dir}' is a file";
            }
        }

        return e is UnauthorizedAccessException ? "permission denied" : e.Message;
    }
}
