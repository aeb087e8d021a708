namespace Sim.Stack.Gateway;

/// <summary>A route table that cannot be served, naming where it is wrong: <c>route_table.10000.fateflow[0].url: required for protocol http</c>.</summary>
/// <param name="path">The JSON path of the offending value (empty when the text is not JSON at all).</param>
/// <param name="problem">What is wrong with it.</param>
public sealed class RouteTableException(string path, string problem)
    : Exception(path.Length == 0 ? problem : $"{path}: {problem}")
{
    public string Path { get; } = path;

    public string Problem { get; } = problem;
}
