using System.Globalization;
using System.Security.Cryptography;
using Sim.Engine;
using Sim.Scenarios;
using Sim.Shared;
using Sim.Stack.Defects;
using Sim.Worlds;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Sim.Campaign;

/// <summary>
/// Loads <c>scenarios.yaml</c> with YamlDotNet's representation model (every node carries its line) into
/// a <see cref="CampaignConfig"/>, and validates it against the scenario, defect, strategy and fault-profile
/// catalogues. Every problem is a <see cref="BadInputException"/> naming the file, the line and the key:
/// <c>scenarios.yaml:12: scenarios[0].engines[0].strategies: unknown strategy 'foo' (known: random, pct)</c>.
/// </summary>
public static class CampaignConfigLoader
{
    /// <summary>The profile name that keeps the scenario's own fault profile.</summary>
    public const string DefaultProfile = "default";

    /// <summary>The <c>iterations</c> of a stream that draws new seeds until the wall budget ends.</summary>
    public const string UntilBudget = "until-budget";

    public static CampaignConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new BadInputException($"--config: {path}: no such file");
        }

        var bytes = File.ReadAllBytes(path);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(System.Text.Encoding.UTF8.GetString(bytes));
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new BadInputException(TabLine(bytes) is { } tab
                ? $"{path}:{tab}: a tab in the indentation: YAML indents with spaces only"
                : $"{path}:{e.Start.Line}: not valid YAML: {Innermost(e).Message}");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner gives up on some malformed flow collections without a position.
            throw new BadInputException($"{path}: not valid YAML: {e.Message}");
        }

        if (stream.Documents.Count != 1)
        {
            throw new BadInputException($"{path}:1: expected one YAML document, found {stream.Documents.Count}");
        }

        return new Reader(path).Campaign(stream.Documents[0].RootNode, hash);
    }

    /// <summary>The first line indented with a tab, if any: YamlDotNet's own message for it names another line.</summary>
    private static int? TabLine(byte[] bytes)
    {
        var lines = System.Text.Encoding.UTF8.GetString(bytes).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var indentation = lines[i][..(lines[i].Length - lines[i].TrimStart(' ', '\t').Length)];
            if (indentation.Contains('\t', StringComparison.Ordinal))
            {
                return i + 1;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>Walks the document, keeping the key path of every node for the messages.</summary>
    private sealed class Reader(string file)
    {
        public CampaignConfig Campaign(YamlNode root, string hash)
        {
            var top = Mapping(root, "(document)", ["campaign", "scenarios", "defects"]);
            (string, TimeSpan)? budget = null;
            ulong? seedStart = 1;
            var timeout = TimeSpan.FromMinutes(2);
            int? workers = null;
            if (top.TryGetValue("campaign", out var campaignNode))
            {
                var campaign = Mapping(campaignNode, "campaign", ["budget", "seeds", "timeout", "workers"]);
                if (campaign.TryGetValue("budget", out var b))
                {
                    var text = Scalar(b, "campaign.budget");
                    budget = (text, Duration(b, "campaign.budget", text));
                }

                if (campaign.TryGetValue("seeds", out var s))
                {
                    var seeds = Mapping(s, "campaign.seeds", ["start"]);
                    if (seeds.TryGetValue("start", out var start))
                    {
                        var text = Scalar(start, "campaign.seeds.start");
                        seedStart = text == SeedBase.Auto ? null
                            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
                            : throw Error(start, "campaign.seeds.start", $"must be a whole number from 0 to {ulong.MaxValue}, or {SeedBase.Auto} (a base from the UTC date) (got '{text}')");
                    }
                }

                if (campaign.TryGetValue("timeout", out var t))
                {
                    timeout = Duration(t, "campaign.timeout", Scalar(t, "campaign.timeout"));
                }

                if (campaign.TryGetValue("workers", out var w))
                {
                    workers = PositiveInt(w, "campaign.workers");
                }
            }

            var scenarios = new List<ScenarioEntry>();
            if (top.TryGetValue("scenarios", out var scenariosNode))
            {
                var items = Sequence(scenariosNode, "scenarios");
                for (var i = 0; i < items.Count; i++)
                {
                    var entry = Scenario(items[i], $"scenarios[{i}]");
                    if (scenarios.FirstOrDefault(s => s.Name == entry.Name) is { } first)
                    {
                        throw Error(((YamlMappingNode)items[i]).Children[new YamlScalarNode("name")], $"scenarios[{i}].name", $"scenario '{entry.Name}' is listed twice (first at line {first.Line}): give it one entry with several engines or profiles");
                    }

                    scenarios.Add(entry);
                }
            }

            var defects = new List<DefectEntry>();
            if (top.TryGetValue("defects", out var defectsNode))
            {
                var items = Sequence(defectsNode, "defects");
                for (var i = 0; i < items.Count; i++)
                {
                    var entry = Defect(items[i], $"defects[{i}]");
                    if (defects.FirstOrDefault(d => d.Name == entry.Name) is { } first)
                    {
                        throw Error(((YamlMappingNode)items[i]).Children[new YamlScalarNode("name")], $"defects[{i}].name", $"defect '{entry.Name}' is listed twice (first at line {first.Line}): give it one entry with several engines or profiles");
                    }

                    defects.Add(entry);
                }
            }

            if (scenarios.Count == 0 && defects.Count == 0)
            {
                throw Error(root, "scenarios", "the campaign has no scenario and no defect to run");
            }

            return new CampaignConfig(file, hash, budget, seedStart, timeout, workers, scenarios, defects);
        }

        private ScenarioEntry Scenario(YamlNode node, string path)
        {
            var map = Mapping(node, path, ["name", "profiles", "engines"]);
            var nameNode = Required(map, node, path, "name");
            var name = Scalar(nameNode, path + ".name");
            _ = ScenarioCatalog.Find(name)
                ?? throw Error(nameNode, path + ".name", $"unknown scenario '{name}' (known: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))})");
            var profiles = map.TryGetValue("profiles", out var p) ? Profiles(p, path + ".profiles") : [null];
            return new ScenarioEntry(name, EngineList(Required(map, node, path, "engines"), path + ".engines", profiles), node.Start.Line32());
        }

        private DefectEntry Defect(YamlNode node, string path)
        {
            var map = Mapping(node, path, ["name", "scenario", "profiles", "engines"]);
            var nameNode = Required(map, node, path, "name");
            var name = Scalar(nameNode, path + ".name");
            var defect = DefectCatalogue.Find(name)
                ?? throw Error(nameNode, path + ".name", $"unknown defect '{name}' (known: {string.Join(", ", DefectCatalogue.All.Select(d => d.Name))})");
            // The scenario named, else the first that claims the defect; either way it must claim it.
            var named = map.TryGetValue("scenario", out var s) ? Scalar(s, path + ".scenario") : null;
            var scenario = (named is null ? ScenarioCatalog.HomeOf(name) : ScenarioCatalog.Find(named))
                ?? throw Error(s ?? nameNode, path + (s is null ? ".name" : ".scenario"), named is null ? $"defect '{name}' is claimed by no scenario" : $"unknown scenario '{named}'");
            if (ScenarioCatalog.WhyNotPlantable(name, scenario) is { } why)
            {
                throw Error(s!, path + ".scenario", $"defect {why}");
            }

            var profiles = map.TryGetValue("profiles", out var p) ? Profiles(p, path + ".profiles") : [null];
            return new DefectEntry(name, scenario.Name, EngineList(Required(map, node, path, "engines"), path + ".engines", profiles), node.Start.Line32());
        }

        private List<EngineEntry> EngineList(YamlNode node, string path, IReadOnlyList<string?> profiles)
        {
            var items = Sequence(node, path);
            if (items.Count == 0)
            {
                throw Error(node, path, "needs at least one engine");
            }

            return [.. items.Select((item, i) => Engine(item, $"{path}[{i}]", profiles))];
        }

        private EngineEntry Engine(YamlNode node, string path, IReadOnlyList<string?> inherited)
        {
            var map = Mapping(node, path, ["engine", "strategies", "profiles", "iterations", "bound", "weight"]);
            var engineNode = Required(map, node, path, "engine");
            var engine = Scalar(engineNode, path + ".engine");
            var found = Engines.Find(engine)
                ?? throw Error(engineNode, path + ".engine", $"unknown engine '{engine}' (known: {string.Join(", ", Engines.Names)})");
            var strategies = Names(Required(map, node, path, "strategies"), path + ".strategies", found.Strategies, "strategy");
            var profiles = map.TryGetValue("profiles", out var p) ? Profiles(p, path + ".profiles") : inherited;
            int? iterations = map.TryGetValue("iterations", out var it) ? Iterations(it, path + ".iterations") : null;
            uint? bound = null;
            if (map.TryGetValue("bound", out var b))
            {
                if (!found.HasStrategyBound)
                {
                    throw Error(b, path + ".bound", $"the {engine} engine's strategies take no bound (only the coyote engine's do)");
                }

                bound = (uint)PositiveInt(b, path + ".bound");
            }

            var weight = map.TryGetValue("weight", out var w) ? PositiveInt(w, path + ".weight") : 1;
            return new EngineEntry(engine, strategies, profiles, iterations, bound, path, node.Start.Line32(), weight);
        }

        private List<string?> Profiles(YamlNode node, string path)
        {
            var known = new[] { DefaultProfile }.Concat(FaultProfile.Builtin.Select(p => p.Name)).ToList();
            return [.. Names(node, path, known, "fault profile").Select(n => n == DefaultProfile ? null : n)];
        }

        /// <summary>A non-empty sequence of distinct names, each one of <paramref name="known"/>.</summary>
        private List<string> Names(YamlNode node, string path, IReadOnlyList<string> known, string what)
        {
            var items = Sequence(node, path);
            if (items.Count == 0)
            {
                throw Error(node, path, $"needs at least one {what} (known: {string.Join(", ", known)})");
            }

            var names = new List<string>();
            foreach (var item in items)
            {
                var name = Scalar(item, path);
                if (!known.Contains(name))
                {
                    throw Error(item, path, $"unknown {what} '{name}' (known: {string.Join(", ", known)})");
                }

                if (names.Contains(name))
                {
                    throw Error(item, path, $"{what} '{name}' is listed twice");
                }

                names.Add(name);
            }

            return names;
        }

        private Dictionary<string, YamlNode> Mapping(YamlNode node, string path, IReadOnlyList<string> keys)
        {
            if (node is not YamlMappingNode mapping)
            {
                throw Error(node, path, $"expected a mapping with keys {string.Join(", ", keys)}, got {Kind(node)}");
            }

            var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (keyNode, value) in mapping.Children)
            {
                var key = keyNode is YamlScalarNode { Value: { } k } ? k : throw Error(keyNode, path, "keys must be plain names");
                var keyPath = path == "(document)" ? key : $"{path}.{key}";
                if (!keys.Contains(key))
                {
                    throw Error(keyNode, keyPath, $"unknown key '{key}' (known: {string.Join(", ", keys)})");
                }

                if (!result.TryAdd(key, value))
                {
                    throw Error(keyNode, keyPath, $"key '{key}' is given twice");
                }
            }

            return result;
        }

        private IReadOnlyList<YamlNode> Sequence(YamlNode node, string path) =>
            node is YamlSequenceNode sequence ? sequence.Children.ToList() : throw Error(node, path, $"expected a list, got {Kind(node)}");

        private string Scalar(YamlNode node, string path) =>
            node is YamlScalarNode { Value: { Length: > 0 } value } ? value : throw Error(node, path, $"expected a value, got {Kind(node)}");

        private int PositiveInt(YamlNode node, string path)
        {
            var text = Scalar(node, path);
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw Error(node, path, $"must be a positive integer (got '{text}')");
        }

        /// <summary>A stream's iterations: a positive number, or until-budget (null).</summary>
        private int? Iterations(YamlNode node, string path)
        {
            var text = Scalar(node, path);
            return text == UntilBudget ? null
                : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
                : throw Error(node, path, $"must be a positive integer or {UntilBudget} (got '{text}')");
        }

        private TimeSpan Duration(YamlNode node, string path, string text)
        {
            try
            {
                return Durations.Parse(text, path);
            }
            catch (BadInputException e)
            {
                throw new BadInputException($"{file}:{node.Start.Line}: {e.Message}");
            }
        }

        private YamlNode Required(Dictionary<string, YamlNode> map, YamlNode node, string path, string key) =>
            map.TryGetValue(key, out var value) ? value : throw Error(node, path, $"missing key '{key}'");

        private BadInputException Error(YamlNode node, string path, string message) => new($"{file}:{node.Start.Line}: {path}: {message}");

        private static string Kind(YamlNode node) => node switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            YamlScalarNode { Value: null or "" } => "nothing",
            YamlScalarNode s => $"'{s.Value}'",
            _ => node.NodeType.ToString(),
        };
    }

    private static int Line32(this Mark mark) => (int)mark.Line;
}
