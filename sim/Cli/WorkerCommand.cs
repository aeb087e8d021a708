using System.CommandLine;
using System.Globalization;
using Sim.Campaign;
using Sim.Shared;

namespace Sim.Cli;

/// <summary>The hidden `sim worker` verb: a campaign worker process, started by `sim fuzz`.</summary>
internal static class WorkerCommand
{
    public static Command Build()
    {
        var connect = new Option<string>("--connect") { Description = "The coordinator's NetMQ endpoint, tcp://HOST:PORT.", Required = true };
        var id = WholeNumbers.Option("--id", "This worker's number.", 1, int.MaxValue, 1);
        id.Required = true;
        var parent = WholeNumbers.Optional("--parent", "The coordinator's process id: the worker exits within 2 s of its end.", 1, int.MaxValue);
        var testFault = new Option<string?>("--test-fault") { Description = "Test hook (see sim fuzz)." };
        var command = new Command("worker", "A campaign worker process (started by sim fuzz). Exit codes: 0 told to stop; 2 bad input or no coordinator; 70 a unit crashed it; 75 it lost its coordinator.")
        {
            connect, id, parent, testFault,
        };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            var endpoint = Endpoint(parse.GetValue(connect)!);
            var faults = TestFaults.Parse(parse.GetValue(testFault), "--test-fault");
            return Worker.Run(endpoint, parse.GetValue(id), parse.GetValue(parent), faults, Console.Error);
        });
        return command;
    }

    /// <summary>A tcp://HOST:PORT endpoint, checked before NetMQ sees it (it would throw on garbage, or wait forever).</summary>
    private static string Endpoint(string text)
    {
        const string Scheme = "tcp://";
        var colon = text.LastIndexOf(':');
        if (text.StartsWith(Scheme, StringComparison.Ordinal) && colon > Scheme.Length
            && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            && !text[Scheme.Length..colon].Any(c => char.IsWhiteSpace(c) || c == '/'))
        {
            return text;
        }

        throw new BadInputException($"--connect: '{text}' is not a coordinator endpoint tcp://HOST:PORT with a port from 1 to 65535");
    }
}
