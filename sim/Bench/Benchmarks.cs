namespace Sim.Bench;

public sealed record Figure(string Name, double Value, string Unit, string Note = "");

public static class Benchmarks
{
    public static IEnumerable<Figure> Run(int seeds, Action<string> progress)
    {
        yield break;
    }
}
