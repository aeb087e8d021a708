using Bogus;
using Sim.Worlds;

namespace Sim.Scenarios.Psi;

/// <summary>
/// The run's draws, from the workload stream: each party's cluster size (1 to 4 machines unless pinned), Bogus-made
/// item sets (mobile numbers, 11 digits) with a drawn overlap, the protocol's curve, receivers and retry policy, and the
/// scripted incident (none, the actor's machine killed mid-stream, the head restarted, or one party's input broken).
/// </summary>
public sealed class PsiWorkload
{
    public PsiWorkload(Rng rng, int? aliceNodes, int? bobNodes, int minItems, int maxItems, PsiIncident? incident = null, int? maxAttempts = null)
    {
        AliceNodes = aliceNodes ?? 1 + rng.Next(4);
        BobNodes = bobNodes ?? 1 + rng.Next(4);
        var faker = new Faker { Random = new Randomizer((int)rng.NextUInt64()) };
        var aliceCount = faker.Random.Int(minItems, maxItems);
        var bobCount = faker.Random.Int(minItems, maxItems);
        var overlap = faker.Random.Int(0, Math.Min(aliceCount, bobCount));
        var pool = new HashSet<string>(StringComparer.Ordinal);
        while (pool.Count < aliceCount + bobCount - overlap)
        {
            pool.Add(faker.Phone.PhoneNumber("1##########"));
        }

        var all = pool.ToList();
        var shared = all.Take(overlap).ToList();
        AliceItems = faker.Random.Shuffle(shared.Concat(all.Skip(overlap).Take(aliceCount - overlap))).ToList();
        BobItems = faker.Random.Shuffle(shared.Concat(all.Skip(aliceCount))).ToList();
        Curve = rng.Next(4) == 0 ? Stack.Psi.Secp256k1Curve.CurveName : Stack.Psi.X25519Curve.CurveName;
        Receivers = rng.Next(3) switch { 0 => "alice", 1 => "bob", _ => Stack.Psi.PsiProtocol.Both };
        MaxAttempts = 1 + rng.Next(2);
        MaxAttempts = maxAttempts ?? MaxAttempts;
        var draw = rng.Next(20);
        Incident = incident ?? (draw < 7 ? PsiIncident.None : draw < 13 ? PsiIncident.KillActorMachine : draw < 16 ? PsiIncident.RestartHead : PsiIncident.BadInput);
        Victim = rng.Next(2) == 0 ? "alice" : "bob";
        Breakage = (BadInput)(1 + rng.Next(7));
        AliceSpelling = (InputSpelling)rng.Next(3);
        BobSpelling = (InputSpelling)rng.Next(3);
        HeadDowntime = TimeSpan.FromSeconds(rng.Next(2) == 0 ? 0.1 : 0.5);
    }

    public int AliceNodes { get; }

    public int BobNodes { get; }

    public IReadOnlyList<string> AliceItems { get; }

    public IReadOnlyList<string> BobItems { get; }

    public string Curve { get; }

    public string Receivers { get; }

    public int MaxAttempts { get; }

    public PsiIncident Incident { get; }

    /// <summary>The party the incident strikes.</summary>
    public string Victim { get; }

    /// <summary>How the victim's input is broken when the incident is <see cref="PsiIncident.BadInput"/>.</summary>
    public BadInput Breakage { get; }

    /// <summary>How alice's (valid or broken) input file is spelled.</summary>
    public InputSpelling AliceSpelling { get; }

    public InputSpelling BobSpelling { get; }

    /// <summary>How long a restarted head stays down: shorter than the node timeout (its nodes learn it forgot them from a heartbeat's answer) or longer (they lose it).</summary>
    public TimeSpan HeadDowntime { get; }
}

/// <summary>The run's scripted incident.</summary>
public enum PsiIncident
{
    None,

    /// <summary>The machine running the victim's PSI actor dies (its node agent is killed) once its first batch is out; it comes back a second later.</summary>
    KillActorMachine,

    /// <summary>The victim's head is killed once its actor's handshake is done, and restarted 0.1 or 0.5 s later.</summary>
    RestartHead,

    /// <summary>The victim's input file is broken (a duplicate, no items, or a malformed line).</summary>
    BadInput,
}
