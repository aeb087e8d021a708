using System.Globalization;
using Sim.Shared;

namespace Sim.Campaign;

/// <summary>
/// The hidden test hook of `sim fuzz --test-fault crash@5,hang@7,slow@9`: the worker that receives unit 5 exits
/// at once, the one that receives unit 7 never answers, the one that receives unit 9 sleeps 8 s before running it.
/// Tests use it to see a campaign record the crash or hang as a finding, replace the worker and go on, and to catch
/// a worker in the middle of a unit.
/// </summary>
public sealed class TestFaults
{
    private readonly Dictionary<long, string> faults = [];

    public static TestFaults None { get; } = new();

    public static TestFaults Parse(string? text, string option)
    {
        var result = new TestFaults();
        foreach (var item in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = item.Split('@');
            if (parts.Length != 2 || parts[0] is not ("crash" or "hang" or "slow") || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var unit))
            {
                throw new BadInputException($"{option}: '{item}' is not crash@UNIT, hang@UNIT or slow@UNIT");
            }

            result.faults[unit] = parts[0];
        }

        return result;
    }

    public void Apply(long unit)
    {
        switch (faults.GetValueOrDefault(unit))
        {
            case "crash":
                Console.Error.WriteLine($"test fault: crashing on unit {unit}");
                Environment.Exit(70);
                break;
            case "hang":
                Console.Error.WriteLine($"test fault: hanging on unit {unit}");
                Thread.Sleep(Timeout.Infinite);
                break;
            case "slow":
                Console.Error.WriteLine($"test fault: sleeping 8 s before unit {unit}");
                Thread.Sleep(TimeSpan.FromSeconds(8));
                break;
            default:
                break;
        }
    }
}
