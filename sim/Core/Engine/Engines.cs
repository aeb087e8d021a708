using Sim.Engine.Coyote;

namespace Sim.Engine;

/// <summary>The engines, by name.</summary>
public static class Engines
{
    public static IReadOnlyList<IEngine> All { get; } = [LoopEngine.Instance, CoyoteEngine.Instance];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(e => e.Name)];

    public static IEngine? Find(string name) => All.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));
}
