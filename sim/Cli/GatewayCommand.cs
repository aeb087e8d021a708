using System.CommandLine;
using Sim.Shared;
using Sim.Stack.Gateway;

namespace Sim.Cli;

/// <summary>
/// `sim gateway check FILE`: validates a real route_table.json exactly as a site gateway loads it (exit 2 with the
/// JSON path of the first problem, as the gateway refuses it) and prints where every (party, component) pair resolves.
/// </summary>
internal static class GatewayCommand
{
    public static Command Build(CliContext cli)
    {
        var gateway = new Command("gateway", Commands.Describe("Site-gateway tools (FATE OSX route tables)."));
        gateway.Subcommands.Add(Check(cli));
        return gateway;
    }

    private static Command Check(CliContext cli)
    {
        var file = new Argument<string>("file") { Description = "A route_table.json, in FATE OSX's format." };
        var party = new Option<string?>("--party") { Description = "The party of the gateway that reads the table: its own components resolve in its own entry only, never through the global default." };
        var command = new Command("check", Commands.Describe("Validate a route_table.json as a site gateway loads it (exit 2 with the JSON path of the first problem) and print where every (party, component) pair resolves."))
        {
            file, party,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(file)!;
            var own = parse.GetValue(party);
            if (own is not null && !RouteTableParser.IsPartyId(own))
            {
                throw new BadInputException($"--party: '{own}' is not a party id (a string of digits)");
            }

            var table = Load(path);
            Print(cli.Stdout, path, table, own);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static RouteTable Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{path}: cannot read it: {e.Message}");
        }

        try
        {
            return RouteTableParser.Parse(text);
        }
        catch (RouteTableException e)
        {
            throw new BadInputException($"{path}: {e.Message}");
        }
    }

    private static void Print(TextWriter stdout, string path, RouteTable table, string? own)
    {
        var rows = table.Resolutions(own).ToList();
        stdout.WriteLine($"{path}: a valid route table: {table.Parties.Count} entr{(table.Parties.Count == 1 ? "y" : "ies")}, {rows.Count} (party, component) pair(s)");
        var width = rows.Max(r => r.Party.Length + 1 + r.Component.Length);
        foreach (var (p, component, match) in rows)
        {
            var pair = $"{p}/{component}".PadRight(width);
            var to = match is null
                ? "no route (Unavailable)"
                : $"{match.Path} -> {string.Join(" | ", match.Endpoints)}";
            stdout.WriteLine($"  {pair}  {to}{(p == own ? "  (own party: stays on site)" : "")}");
        }

        var permission = table.Permission;
        stdout.WriteLine($"permission: default {(permission.DefaultAllow ? "allow" : "deny")}; allow [{Rules(permission.Allow)}]; deny [{Rules(permission.Deny)}]");
    }

    private static string Rules(IReadOnlyList<PermissionRule> rules) => string.Join(", ", rules.Select(r => $"{r.From}->{r.To ?? "*"}"));
}
