using System.CommandLine;
using Sim.Worlds;

namespace Sim.Cli;

/// <summary>The options several verbs share.</summary>
internal static class CommonOptions
{
    public static Argument<string> Scenario() => new("scenario") { Description = "The scenario to run (see 'sim list')." };

    public static Option<ulong> Seed(string description) => WholeNumbers.Option<ulong>("--seed", description, 0, ulong.MaxValue, 1);

    public static Option<string[]> Defect() => new("--defect")
    {
        Description = "Plant a defect of the catalogue (repeatable, or comma-separated).",
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => [],
    };

    public static Option<int> PctDepth() => WholeNumbers.Option("--pct-depth", "PCT's bug depth (priority change points + 1), loop engine.", 1, 1000, 3);

    public static Option<string?> Faults() => new("--faults")
    {
        Description = "Replace the scenario's fault profile with a built-in one: " + string.Join(", ", FaultProfile.Builtin.Select(p => p.Name)) + ".",
    };

    public static Option<string> Buggify() => new("--buggify")
    {
        Description = "BUGGIFY (FoundationDB's): each site of the stack (see 'sim list') is enabled with p=0.25 per run, then fires with p=0.25 each time it is reached, until the quiet point: on (default) or off.",
        DefaultValueFactory = _ => "on",
    };

    /// <summary>The value of --buggify: on or off.</summary>
    public static bool BuggifyOn(string value) => value switch
    {
        "on" => true,
        "off" => false,
        _ => throw new Shared.BadInputException($"--buggify: '{value}' is neither on nor off"),
    };

    public static Option<bool> Json() => new("--json") { Description = "Machine-readable output: the last line is one JSON object." };

    public static Option<string> Out(string fallback, string description) => new("--out")
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
    };
}
