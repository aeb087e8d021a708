using Sim.Stack.Cluster;
using Sim.Stack.Host;
using Sim.Stack.Psi;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>One party as the scenario built it: its cluster's processes, its certificate, its input.</summary>
public sealed class PsiParty(string name, string peer)
{
    public string Name { get; } = name;

    public string Peer { get; } = peer;

    /// <summary>The head process (the cluster's control service and the head machine's node agent).</summary>
    public Live<PartyHead> Head { get; set; } = null!;

    /// <summary>The worker machines' node agents.</summary>
    public List<Live<NodeAgent>> Workers { get; } = [];

    /// <summary>The SecretFlow driver on the head machine.</summary>
    public Live<PsiJob> Driver { get; set; } = null!;

    /// <summary>The party's certificate (subject and server name: the party's name), shared by its cluster's processes.</summary>
    public CertificateSlot Certificate { get; set; } = null!;

    /// <summary>The party's items, as written to its input file (before any breakage).</summary>
    public IReadOnlyList<string> Items { get; set; } = [];

    /// <summary>How its input file is broken, if it is.</summary>
    public BadInput Breakage { get; set; } = BadInput.None;

    /// <summary>How its input file is spelled.</summary>
    public InputSpelling Spelling { get; set; } = InputSpelling.Plain;

    /// <summary>The exact error its actor must fail with when its input is broken (the model's reading of the file).</summary>
    public string? InputError { get; set; }

    /// <summary>The protocol its job runs (both parties the same unless the run plants a mismatch).</summary>
    public PsiProtocol Protocol { get; set; } = PsiProtocol.Default;

    /// <summary>The CPU slots its PSI actor asks for (num_cpus; 1 unless the run pins more).</summary>
    public int ActorCpus { get; set; } = 1;

    /// <summary>Its actor asks for more CPU slots than any of its machines has: no placement can succeed.</summary>
    public bool Unplaceable => ActorCpus > PsiMultinodeScenario.CpusPerNode;

    /// <summary>The party's advertised link address (the head's).</summary>
    public string AdvertisedHost => Head.Address;

    /// <summary>Every process of the party's cluster that runs actors.</summary>
    public IEnumerable<Live> Nodes => [Head, .. Workers];

    public int Size => 1 + Workers.Count;

    /// <summary>The process whose node agent runs on <paramref name="machine"/>.</summary>
    public Live? NodeOn(string machine) => Nodes.FirstOrDefault(n => n.Machine.Name == machine);
}

/// <summary>What the head process runs: the cluster's control service and the head machine's own node agent.</summary>
public sealed record PartyHead(ClusterHeadServer Head, NodeAgent Agent);

/// <summary>How a party's input file is broken in a run that plants bad input.</summary>
public enum BadInput
{
    None,

    /// <summary>An id appears twice.</summary>
    Duplicate,

    /// <summary>The header and no ids.</summary>
    Empty,

    /// <summary>A line of 11 characters that are not all digits.</summary>
    Malformed,

    /// <summary>No input file on the node at all.</summary>
    Missing,

    /// <summary>The first line is not the header <c>id</c>.</summary>
    NoHeader,

    /// <summary>An id one digit short.</summary>
    ShortId,

    /// <summary>An empty line between two ids.</summary>
    BlankLine,
}

/// <summary>The two parties and the ports of their clusters.</summary>
public sealed class PsiTopology
{
    public const int HeadPort = 6379;
    public const int NodePort = 6380;
    public const int LinkPort = 9100;
    public const string InputPath = "data/input.csv";

    public PsiParty Alice { get; } = new("alice", "bob");

    public PsiParty Bob { get; } = new("bob", "alice");

    public IReadOnlyList<PsiParty> Parties => [Alice, Bob];

    public PsiParty Party(string name) => name == Alice.Name ? Alice : name == Bob.Name ? Bob : throw new ArgumentException($"no party '{name}'");

    /// <summary>The party a process belongs to, or null (the prober).</summary>
    public PsiParty? PartyOf(string process) => Parties.FirstOrDefault(p => p.Head.Name == process || p.Driver.Name == process || p.Workers.Any(w => w.Name == process));

    /// <summary>The true intersection of the two generated sets.</summary>
    public IReadOnlySet<string> Intersection => Alice.Items.Intersect(Bob.Items, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);

    /// <summary>A trust store of the named sites' authorities only.</summary>
    public static TrustStore TrustOf(params Site[] sites) =>
        new(sites.ToDictionary(s => s.Authority.Name, s => s.Authority.PublicKey, StringComparer.Ordinal));
}
