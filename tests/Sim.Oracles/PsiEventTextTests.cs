using Sim.Stack.Cluster;
using Sim.Stack.Host;
using Sim.Stack.Psi;

namespace Sim.Oracles;

/// <summary>
/// The PSI and cluster event-log lines as users read them (the event log, `sim run`'s account, bug reports): each event's
/// kind and details for fixed values, both branches of every conditional part. An oracle case of its own, because no
/// invariant of psi-multinode reads text (its checkers subscribe to the typed records).
/// </summary>
public sealed class PsiEventTextTests
{
    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void EveryClusterEventReadsAsDocumented()
    {
        // Built here, not in theory data: Stryker counts only code a test runs as covered by it.
        (SimEvent Event, string Kind, string Details)[] lines =
        [
            (new HeadServing("alice", "10.0.0.1", 6379), "cluster.head-serving", "party=alice at 10.0.0.1:6379"),
            (new NodeRegistered("alice", "node2", "m-w1", "10.0.0.2", 2), "cluster.node-registered", "alice node2 on m-w1 (10.0.0.2) cpus=2"),
            (new NodeDeclaredDead("alice", "node2", "m-w1", TimeSpan.FromMilliseconds(312.4)), "cluster.node-dead", "alice node2 on m-w1: no heartbeat for 312 ms"),
            (new ActorPlaced("bob", "a1", "node3", "m-w2", 1, 2, true), "cluster.actor-placed", "bob a1 on node3 (m-w2) cpus=1 free-before=2 proxied from the head"),
            (new ActorPlaced("bob", "a1", "node1", "m-head", 1, 2, false), "cluster.actor-placed", "bob a1 on node1 (m-head) cpus=1 free-before=2"),
            (new ActorCreated("bob", "a1", 3), "cluster.actor-created", "bob a1 asks cpus=3"),
            (new ActorEnded("bob", "a1", "m-w2", true, "node-died", "gone"), "cluster.actor-ended", "bob a1 on m-w2 failed (node-died): gone"),
            (new ActorEnded("bob", "a1", "m-w2", false, "", ""), "cluster.actor-ended", "bob a1 on m-w2 finished"),
            (new ActorStarted("a1", "psi", "m-w2"), "cluster.actor-started", "a1 (psi) on m-w2"),
            (new ProxyChanged("bob", "a1", "10.0.0.1:9100", "10.0.0.3:9100", true), "cluster.proxy-open", "bob 10.0.0.1:9100 -> 10.0.0.3:9100 for a1"),
            (new ProxyChanged("bob", "a1", "10.0.0.1:9100", "10.0.0.3:9100", false), "cluster.proxy-closed", "bob 10.0.0.1:9100 -> 10.0.0.3:9100 for a1"),
            (new HeadLost("bob", "m-w2", 1, "why"), "cluster.head-lost", "bob node on m-w2: why; 1 actor(s) stopped"),
            (new ActorUnplaced("bob", "a1", "node3", "m-w2", "why"), "cluster.actor-unplaced", "bob a1 from node3 (m-w2): why"),
            (new ActorKilled("bob", "a1", "running", "m-w2", true), "cluster.actor-killed", "bob a1 (running) on m-w2"),
            (new ActorKilled("bob", "a1", "unknown", "", false), "cluster.actor-killed", "bob a1 (unknown); its node did not confirm the stop"),
            (new ActorStopped("a1", "m-w2", true), "cluster.actor-stopped", "a1 on m-w2"),
            (new ActorStopped("a1", "m-w2", false), "cluster.actor-stopped", "a1 on m-w2 (not running here)"),
        ];

        EventText.AssertReadAsDocumented(lines);
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void EveryPsiEventReadsAsDocumented()
    {
        (SimEvent Event, string Kind, string Details)[] lines =
        [
            (new PsiAttemptStarted("alice", 2, "psi-1-alice-a2"), "psi.attempt-started", "alice attempt 2: actor psi-1-alice-a2"),
            (new PsiInputRead("alice", 1, 40), "psi.input", "alice attempt 1: 40 item(s)"),
            (new LinkBound("alice", 1, "m-w1", "10.0.0.2", 9100), "psi.link-bound", "alice attempt 1 on m-w1 at 10.0.0.2:9100"),
            (new PsiHandshake("alice", 1, "ecdh-psi/2", "X25519", "both", 32), "psi.handshake", "alice attempt 1: ecdh-psi/2 X25519 result to both batches of 32"),
            (new PsiBatchSent("alice", 1, "masked/0", 32), "psi.batch", "alice attempt 1 masked/0: 32 point(s)"),
            (new PsiBatchSent("alice", 1, "masked/1", 0), "psi.batch", "alice attempt 1 masked/1: 0 point(s) (end of stream)"),
            (new PsiAttemptSucceeded("bob", 1, "m-w1", null), "psi.succeeded", "bob attempt 1 on m-w1: done (not a receiver)"),
            (new PsiAttemptSucceeded("bob", 1, "m-w1", ["10000000002", "10000000001"]), "psi.succeeded", "bob attempt 1 on m-w1: 2 item(s) in the intersection, sha256=a694068103da"),
            (new PsiAttemptFailed("bob", 1, "m-w1", "bind", "why"), "psi.attempt-failed", "bob attempt 1 on m-w1 (bind): why"),
            (new PsiAttemptFailed("bob", 1, "", "head-lost", "why"), "psi.attempt-failed", "bob attempt 1 on no machine (head-lost): why"),
            (new PsiActorKilled("bob", 1, "s-bob-a1", true, ""), "psi.actor-killed", "bob attempt 1 s-bob-a1: killed"),
            (new PsiActorKilled("bob", 1, "s-bob-a1", false, "why"), "psi.actor-killed", "bob attempt 1 s-bob-a1: not confirmed: why"),
            (new RemoteErrorSent("bob", "alice", 1, true, "bind: why"), "psi.remote-error-sent", "bob -> alice attempt 1: delivered: bind: why"),
            (new RemoteErrorSent("bob", "alice", 1, false, "gone"), "psi.remote-error-sent", "bob -> alice attempt 1: not delivered: gone"),
            (new RemoteErrorReceived("alice", 1, "bob", "m-w1", "bind", "why", true), "psi.remote-error", "alice attempt 1: FedRemoteError from bob on m-w1 (bind, final): why"),
            (new RemoteErrorReceived("alice", 1, "bob", "m-w1", "bind", "why", false), "psi.remote-error", "alice attempt 1: FedRemoteError from bob on m-w1 (bind): why"),
            (new PsiJobEnded("alice", true, 2, "", ""), "psi.job-ended", "alice completed after 2 attempt(s)"),
            (new PsiJobEnded("alice", false, 1, "bad-input", "why"), "psi.job-ended", "alice failed after 1 attempt(s) (bad-input): why"),
            (new LinkPushRefused("alice", "mallory", "bob", "why"), "psi.push-refused", "alice refused a push from 'mallory' (claims bob): why"),
        ];

        EventText.AssertReadAsDocumented(lines);
    }

    [Fact]
    [Trait("Category", InvariantOracleTests.Category)]
    public void AFedRemoteErrorNamesPartyMachineKindAndCause() =>
        Assert.Equal("FedRemoteError: party bob failed on m-w1 (bind): why", new FedRemoteError("bob", "m-w1", "bind", "why").Message);
}
