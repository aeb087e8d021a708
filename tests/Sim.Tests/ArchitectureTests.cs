using System.Text.RegularExpressions;

namespace Sim.Tests;

/// <summary>The `sim` command's folders form layers, each using only those below it, so their namespaces have no cycle.</summary>
public sealed partial class ArchitectureTests
{
    /// <summary>Top to bottom: a folder may use the folders after it, never those before it.</summary>
    private static readonly string[] Layers = ["Cli", "Report", "Bench", "Campaign", "Shared"];

    [Fact]
    public void EachFolderOfTheCommandUsesOnlyTheFoldersBelowIt()
    {
        var root = Path.Combine(Repository.Root, "sim");
        var violations = new List<string>();
        for (var layer = 0; layer < Layers.Length; layer++)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(root, Layers[layer]), "*.cs", SearchOption.AllDirectories))
            {
                var text = File.ReadAllText(file);
                foreach (var above in Layers.Take(layer + 1).SkipLast(1))
                {
                    if (Reference(above).IsMatch(text))
                    {
                        violations.Add($"{Path.GetRelativePath(root, file)} uses Sim.{above}");
                    }
                }
            }
        }

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    /// <summary>`using Sim.X;`, `Sim.X.Type`, or a bare `X.Type` as the code inside the sim namespace may write it.</summary>
    private static Regex Reference(string folder) => new($@"(\busing\s+Sim\.{folder}\s*;)|(\bSim\.{folder}\.)|((?<![\w.""]){folder}\.[A-Z]\w*)", RegexOptions.None, TimeSpan.FromSeconds(1));
}
