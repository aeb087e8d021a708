namespace Sim.Oracles;

public static class Program
{
    public static int Main(string[] args) => Mutation.ScoreCommand.Run(args, Console.Out, Console.Error);
}
