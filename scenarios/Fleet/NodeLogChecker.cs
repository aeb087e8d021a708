using Sim.Stack.Fleet;
using Sim.Stack.Rpc;
using Sim.Worlds;

namespace Sim.Scenarios.Fleet;

/// <summary>
/// A node's log says what happened to it, as its operator reads it: every ping that failed while the node ran is
/// reported (<see cref="PingFailed"/>, before its next ping ends) and no other; a failure of a pull, a run fetch or a
/// push is reported under the name and status of a call of that node that failed (<see cref="NodeCallFailed"/>), a
/// failed push with the results it carried (a node pushes only results it has); work is reported received only when
/// some task came (<see cref="WorkReceived"/>).
/// </summary>
public sealed class NodeLogChecker
{
    public const string NodeLogSaysWhatHappened = "node-log-says-what-happened";

    private readonly Dictionary<string, NodeCalls> nodes = new(StringComparer.Ordinal);

    public NodeLogChecker(ScenarioContext context, FleetTopology fleet)
    {
        var target = $"{fleet.Coordinator.DnsName}:{fleet.Coordinator.Port}";
        context.On<ProcessStarted>((_, at) => nodes[at.Subject] = new NodeCalls());
        context.On<ProcessStopping>((_, at) => Of(at.Subject).Stopping = true);
        context.On<RpcCompleted>((e, at) =>
        {
            if (e.Target != target || fleet.Node(at.Subject) is null)
            {
                return;
            }

            var node = Of(at.Subject);
            var method = e.Method[(e.Method.LastIndexOf('/') + 1)..];
            if (method == "Ping")
            {
                if (node.UnreportedPing is { } missed)
                {
                    context.Fail(NodeLogSaysWhatHappened, $"{at.Subject}'s ping that failed ({missed}) was never reported, and its next ping has ended");
                }

                node.UnreportedPing = e.Ok || node.Stopping ? null : e.Status;
            }
            else if (!e.Ok)
            {
                node.Failed.Add((method, e.Status));
            }
        });
        context.On<PingFailed>((e, at) =>
        {
            var node = Of(at.Subject);
            if (node.UnreportedPing != e.Status)
            {
                context.Fail(NodeLogSaysWhatHappened, $"{at.Subject} reported a failed ping ({e.Status}){(node.Stopping ? " while stopping" : "")}, but no ping of it failed so{(node.UnreportedPing is { } s ? $" (its last failed with {s})" : "")}");
            }

            node.UnreportedPing = null;
        });
        context.On<NodeCallFailed>((e, at) =>
        {
            var node = Of(at.Subject);
            if (e.Call == "PushTaskRes" && e.Lost.Count == 0)
            {
                context.Fail(NodeLogSaysWhatHappened, $"{at.Subject} reported a failed push ({e.Status}: {e.Detail}) that carried no result");
            }

            if (node.Failed.FindIndex(f => f.Method == e.Call && f.Status == e.Status) is var i and >= 0)
            {
                node.Failed.RemoveAt(i);
            }
            else
            {
                context.Fail(NodeLogSaysWhatHappened, $"{at.Subject} reported '{e.Call}' failed ({e.Status}: {e.Detail}), but no call of it by that name failed so (failed: {string.Join(", ", node.Failed.Select(f => $"{f.Method} {f.Status}").DefaultIfEmpty("none"))})");
            }
        });
        context.On<WorkReceived>((e, at) =>
        {
            if (e.Tasks.Count == 0)
            {
                context.Fail(NodeLogSaysWhatHappened, $"{at.Subject} reported work received as node {e.Node}, with no task in it");
            }
        });
    }

    private NodeCalls Of(string process) => nodes.TryGetValue(process, out var node) ? node : nodes[process] = new NodeCalls();

    /// <summary>One node incarnation's failed calls not reported yet.</summary>
    private sealed class NodeCalls
    {
        public bool Stopping { get; set; }

        public Grpc.Core.StatusCode? UnreportedPing { get; set; }

        public List<(string Method, Grpc.Core.StatusCode Status)> Failed { get; } = [];
    }
}
