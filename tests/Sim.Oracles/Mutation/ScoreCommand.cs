using System.CommandLine;
using System.Globalization;
using System.Text.Json;

using Sim.Report.Mutation;

namespace Sim.Oracles.Mutation;

/// <summary>
/// The oracle suite's command line (its assembly's entry point):
/// <c>score REPORT... [--equivalents FILE] [--folder F]... [--format text|markdown|json] [--min-score N]</c> prints
/// the mutation score per source folder; <c>survivors REPORT... [--equivalents FILE] [--folder F]...</c> prints the
/// undetected mutants as Markdown, the oracles' work list. REPORT is Stryker's <c>mutation-report.json</c> or the
/// directory given to <c>dotnet stryker -O</c>. Exit codes: 0, 1 when a folder scores under --min-score, 2 bad input.
/// </summary>
public static class ScoreCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build(output);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var e in parsed.Errors)
            {
                error.WriteLine($"mutation: {e.Message}");
            }

            return 2;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (InvalidDataException e)
        {
            error.WriteLine($"mutation: {e.Message}");
            return 2;
        }
    }

    private static RootCommand Build(TextWriter output)
    {
        var reports = new Argument<string[]>("reports") { Arity = ArgumentArity.OneOrMore, Description = "Stryker's mutation-report.json, or the directory given to dotnet stryker -O" };
        var equivalents = new Option<string>("--equivalents") { Description = "the equivalent-mutants list", DefaultValueFactory = _ => EquivalentMutants.DefaultPath };
        var folders = new Option<string[]>("--folder") { Description = "only these source folders (default: every folder with a tested mutant)", AllowMultipleArgumentsPerToken = true };
        var format = new Option<string>("--format") { Description = "text, markdown or json", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "markdown", "json");
        var minimum = new Option<double?>("--min-score") { Description = "exit 1 when a folder scores under this percentage" };

        var score = new Command("score", "the mutation score per source folder") { reports, equivalents, folders, format, minimum };
        score.SetAction(parse =>
        {
            var (scores, warnings) = Load(parse.GetValue(reports)!, parse.GetValue(equivalents)!, parse.GetValue(folders));
            output.Write(parse.GetValue(format) switch
            {
                "markdown" => ScoreTable.Markdown(scores),
                "json" => JsonSerializer.Serialize(scores.Select(s => new { s.Folder, s.Placed, s.Killed, s.Timeout, s.Survived, s.NoCoverage, s.CompileErrors, s.Ignored, s.Equivalent, s.Score })) + "\n",
                _ => ScoreTable.Text(scores),
            });
            warnings.ForEach(w => parse.InvocationConfiguration.Error.WriteLine($"warning: {w}"));
            var below = parse.GetValue(minimum) is { } min ? scores.Where(s => s.Score < min).ToList() : [];
            below.ForEach(s => parse.InvocationConfiguration.Error.WriteLine($"{s.Folder}: {s.Score!.Value.ToString("F1", CultureInfo.InvariantCulture)}% is under --min-score {parse.GetValue(minimum)}"));
            return below.Count > 0 ? 1 : 0;
        });

        var survivors = new Command("survivors", "the undetected mutants as Markdown") { reports, equivalents, folders };
        survivors.SetAction(parse =>
        {
            var (mutants, match, warnings) = Read(parse.GetValue(reports)!, parse.GetValue(equivalents)!, parse.GetValue(folders));
            output.Write(ScoreTable.Survivors(mutants, match));
            warnings.ForEach(w => parse.InvocationConfiguration.Error.WriteLine($"warning: {w}"));
            return 0;
        });

        return new RootCommand("Mutation score of src/ from Stryker.NET reports, against the equivalent-mutants list") { score, survivors };
    }

    private static (IReadOnlyList<FolderScore> Scores, List<string> Warnings) Load(string[] reports, string equivalents, string[]? folders)
    {
        var (mutants, match, warnings) = Read(reports, equivalents, folders);
        return (FolderScore.Of(mutants, match), warnings);
    }

    /// <summary>The default list is optional (a run outside the repository root scores without it); a named one is not.</summary>
    private static (IReadOnlyList<Mutant> Mutants, EquivalenceMatch Match, List<string> Warnings) Read(string[] reports, string equivalents, string[]? folders)
    {
        var list = File.Exists(equivalents) || equivalents != EquivalentMutants.DefaultPath ? EquivalentMutants.Load(equivalents) : EquivalentMutants.Empty;
        var (mutants, match) = MutationReports.Read(reports, list, folders);
        return (mutants, match, [.. match.Warnings]);
    }
}
