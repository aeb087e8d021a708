namespace Sim.Tests;

/// <summary>The repository the tests were built from.</summary>
internal static class Repository
{
    /// <summary>The directory holding Sim.sln, above the test assembly.</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "Sim.sln")))
        {
            root = root.Parent ?? throw new InvalidOperationException("the repository root (Sim.sln) is not above the test assembly");
        }

        return root.FullName;
    }
}
