using System.Globalization;
using Grpc.Core;
using Sim.Stack.Defects;
using Sim.Stack.Fleet.Contracts;
using Sim.Stack.Host;
using Sim.Stack.Rpc;

namespace Sim.Stack.Fleet;

/// <summary>How the coordinator runs.</summary>
/// <param name="ListenAddress">The address to bind.</param>
/// <param name="Port">The port to bind.</param>
/// <param name="Tls">The TLS server settings (its certificate carries the coordinator's name).</param>
/// <param name="AllowedKeys">The allow-list of node public keys (hex).</param>
/// <param name="Durable">Keep the state on the simulated disk (survives restarts) instead of in memory.</param>
/// <param name="Defects">The defect switches on for this run.</param>
/// <param name="TimestampWindow">How old a signed timestamp may be (upstream 10 s).</param>
/// <param name="ClockDrift">Allowance for clock drift, both ways (upstream 5 s).</param>
public sealed record CoordinatorOptions(
    string ListenAddress,
    int Port,
    TlsServerOptions Tls,
    IReadOnlySet<string> AllowedKeys,
    bool Durable,
    DefectSet Defects,
    TimeSpan TimestampWindow,
    TimeSpan ClockDrift);

/// <summary>
/// A Flower-style coordinator (SuperLink): the Fleet API for nodes, with node authentication, the node
/// registry and task routing, and the Driver API for whoever submits work.
/// </summary>
public sealed class Coordinator
{
    private readonly IHost host;
    private readonly CoordinatorOptions options;

    private Coordinator(IHost host, CoordinatorOptions options, FleetState state)
    {
        this.host = host;
        this.options = options;
        State = state;
    }

    public FleetState State { get; }

    /// <summary>Calls rejected by authentication since this incarnation started.</summary>
    public int Rejections { get; private set; }

    public static Coordinator Start(IHost host, CoordinatorOptions options)
    {
        var state = options.Durable ? FleetState.OnDisk(host.Disk, host.Log) : FleetState.InMemory(host.Log);
        var coordinator = new Coordinator(host, options, state);
        var server = new RpcServer(host, options.ListenAddress, options.Port, options.Tls);
        server.AddService(Contracts.Fleet.BindService(new FleetService(coordinator)));
        server.AddService(Driver.BindService(new DriverService(coordinator)));
        server.Start();
        host.Log.Event(new CoordinatorUp(options.Durable, state.Nodes.Count));
        return coordinator;
    }

    private DateTime Now => host.Clock.UtcNow;

    /// <summary>Node authentication: allow-listed key, valid signature, timestamp inside the window. Returns the key (hex).</summary>
    private string Authenticate(ServerCallContext context)
    {
        var headers = context.RequestHeaders;
        var key = headers.GetValueBytes(NodeCredentials.PublicKeyHeader);
        var timestamp = headers.GetValue(NodeCredentials.TimestampHeader);
        var signature = headers.GetValueBytes(NodeCredentials.SignatureHeader);
        string? why = null;
        var keyHex = key is null ? "-" : Convert.ToHexStringLower(key);
        if (key is null || timestamp is null || signature is null)
        {
            why = "missing authentication metadata";
        }
        else if (!options.AllowedKeys.Contains(keyHex))
        {
            why = "public key not in the allow-list";
        }
        else if (!NodeCredentials.Verify(key, timestamp, signature))
        {
            why = "signature does not verify";
        }
        else if (!long.TryParse(timestamp, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ticks))
        {
            why = "malformed timestamp";
        }
        else
        {
            var age = Now - new DateTime(ticks, DateTimeKind.Utc);
            if (age > options.TimestampWindow + options.ClockDrift || age < -options.ClockDrift)
            {
                why = $"timestamp outside the window (age {age.TotalSeconds:F1}s)";
            }
        }

        if (why is not null)
        {
            Rejections++;
            host.Log.Event(new AuthRejected(keyHex[..Math.Min(12, keyHex.Length)], context.Method, why));
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Access denied"));
        }

        return keyHex;
    }

    private bool IsOnline(NodeEntry entry) => entry.OnlineUntil > Now;

    /// <summary>The entry of node <paramref name="id"/> if the caller's key holds it: the key proves who calls, the id is only a claim.</summary>
    private NodeEntry? Own(long id, string key) => State.Nodes.TryGetValue(id, out var entry) && entry.KeyHex == key ? entry : null;

    /// <summary>The 1.14 registry bug lived in the in-memory state backend only, as upstream.</summary>
    private bool StaleMapping => options.Defects.IsOn(DefectCatalogue.StaleNodeMapping) && !options.Durable;

    private static List<string> Ids(IEnumerable<TaskIns> tasks) => [.. tasks.Select(t => t.TaskId)];

    private sealed class FleetService(Coordinator c) : Contracts.Fleet.FleetBase
    {
        public override async Task<CreateNodeResponse> CreateNode(CreateNodeRequest request, ServerCallContext context)
        {
            var key = c.Authenticate(context);
            var state = c.State;
            if (state.KeyToNode.TryGetValue(key, out var existing))
            {
                if (c.StaleMapping)
                {
                    // 1.14: the key's mapping is trusted even when its node entry is gone.
                    c.host.Log.Event(new StaleNodeReturned(existing, key));
                    return new CreateNodeResponse { Node = new Node { NodeId = existing } };
                }

                if (state.Nodes.TryGetValue(existing, out var entry) && c.IsOnline(entry))
                {
                    c.host.Log.Event(new CreateNodeRefused(key, existing));
                    throw new RpcException(new Status(StatusCode.FailedPrecondition, "Public key already in use"));
                }

                // A crashed node never sent DeleteNode: it reclaims its key once it is offline.
                state.Nodes.Remove(existing);
                state.KeyToNode.Remove(key);
                await state.CommitAsync(new NodeReclaimed(existing, key, state.DropPending(existing)));
            }

            var id = state.NextNodeId++;
            var until = c.Now + TimeSpan.FromSeconds(request.PingInterval);
            state.KeyToNode[key] = id;
            state.Nodes[id] = new NodeEntry(id, key, until, request.PingInterval);
            await state.CommitAsync(new NodeCreated(id, key, request.PingInterval, until));
            return new CreateNodeResponse { Node = new Node { NodeId = id } };
        }

        public override async Task<DeleteNodeResponse> DeleteNode(DeleteNodeRequest request, ServerCallContext context)
        {
            var key = c.Authenticate(context);
            var id = request.Node.NodeId;
            var state = c.State;
            if (c.Own(id, key) is null)
            {
                c.host.Log.Event(new DeleteNodeIgnored(id, key));
                return new DeleteNodeResponse();
            }

            state.Nodes.Remove(id);
            if (!c.StaleMapping)
            {
                state.KeyToNode.Remove(key);
            }

            await state.CommitAsync(new NodeDeleted(id, key, state.DropPending(id)));
            return new DeleteNodeResponse();
        }

        public override async Task<PingResponse> Ping(PingRequest request, ServerCallContext context)
        {
            var key = c.Authenticate(context);
            var id = request.Node.NodeId;
            if (c.Own(id, key) is not { } entry)
            {
                c.host.Log.Event(new UnknownNodePinged(id, key));
                return new PingResponse { Success = false };
            }

            var until = c.Now + TimeSpan.FromSeconds(request.PingInterval);
            c.State.Nodes[id] = entry with { OnlineUntil = until, PingInterval = request.PingInterval };
            await c.State.CommitAsync(new NodePinged(id, key, request.PingInterval, until));
            return new PingResponse { Success = true };
        }

        public override async Task<PullTaskInsResponse> PullTaskIns(PullTaskInsRequest request, ServerCallContext context)
        {
            var key = c.Authenticate(context);
            var id = request.Node.NodeId;
            var response = new PullTaskInsResponse();
            var entry = c.options.Defects.IsOn(DefectCatalogue.PullTrustsNodeId) ? c.State.Nodes.GetValueOrDefault(id) : c.Own(id, key);
            if (entry is not null && c.IsOnline(entry) && c.State.PendingTasks.Remove(id, out var tasks) && tasks.Count > 0)
            {
                response.TaskInsList.AddRange(tasks);
                await c.State.CommitAsync(new TasksHandedOut(id, key, Ids(tasks)));
            }

            return response;
        }

        public override async Task<PushTaskResResponse> PushTaskRes(PushTaskResRequest request, ServerCallContext context)
        {
            var key = c.Authenticate(context);
            var (stored, ignored) = (new List<NodeTask>(), new List<NodeTask>());
            foreach (var result in request.TaskResList)
            {
                if (c.Own(result.NodeId, key) is null)
                {
                    ignored.Add(new NodeTask(result.TaskId, result.NodeId));
                    continue;
                }

                c.State.Results[result.TaskId] = result;
                stored.Add(new NodeTask(result.TaskId, result.NodeId));
            }

            await c.State.CommitAsync(new ResultsStored(key, stored, ignored));
            return new PushTaskResResponse();
        }

        public override Task<GetRunResponse> GetRun(GetRunRequest request, ServerCallContext context)
        {
            c.Authenticate(context);
            return c.State.Runs.TryGetValue(request.RunId, out var fab)
                ? Task.FromResult(new GetRunResponse { RunId = request.RunId, Fab = fab })
                : throw new RpcException(new Status(StatusCode.NotFound, $"Run {request.RunId} not found"));
        }
    }

    private sealed class DriverService(Coordinator c) : Driver.DriverBase
    {
        public override async Task<CreateRunResponse> CreateRun(CreateRunRequest request, ServerCallContext context)
        {
            var id = c.State.NextRunId++;
            c.State.Runs[id] = request.Fab;
            await c.State.CommitAsync(new RunCreated(id, request.Fab));
            return new CreateRunResponse { RunId = id };
        }

        public override Task<GetNodesResponse> GetNodes(GetNodesRequest request, ServerCallContext context)
        {
            var online = c.State.Nodes.Values.Where(c.IsOnline).Select(n => n.NodeId).Order().ToList();
            c.host.Log.Event(new NodesListed(online));
            var response = new GetNodesResponse();
            response.Nodes.AddRange(online.Select(id => new Node { NodeId = id }));
            return Task.FromResult(response);
        }

        /// <summary>Queues each task for its node if that node is online now; tasks of a run the coordinator does not know fail the call.</summary>
        public override async Task<DriverPushTaskInsResponse> PushTaskIns(DriverPushTaskInsRequest request, ServerCallContext context)
        {
            if (request.TaskInsList.FirstOrDefault(t => !c.State.Runs.ContainsKey(t.RunId)) is { } orphan)
            {
                throw new RpcException(new Status(StatusCode.NotFound, $"Run {orphan.RunId} not found"));
            }

            var (accepted, refused) = (new List<NodeTask>(), new List<NodeTask>());
            var response = new DriverPushTaskInsResponse();
            foreach (var task in request.TaskInsList)
            {
                if (!c.State.Nodes.TryGetValue(task.NodeId, out var node) || !(c.IsOnline(node) || c.options.Defects.IsOn(DefectCatalogue.QueueForOfflineNode)))
                {
                    refused.Add(new NodeTask(task.TaskId, task.NodeId));
                    continue;
                }

                c.State.Pending(task.NodeId).Add(task);
                accepted.Add(new NodeTask(task.TaskId, task.NodeId));
                response.TaskIds.Add(task.TaskId);
            }

            await c.State.CommitAsync(new TasksQueued(accepted, refused));
            return response;
        }

        /// <summary>The results ready among those asked for; each is delivered once, then forgotten.</summary>
        public override async Task<DriverPullTaskResResponse> PullTaskRes(DriverPullTaskResRequest request, ServerCallContext context)
        {
            var response = new DriverPullTaskResResponse();
            foreach (var id in request.TaskIds)
            {
                if (c.State.Results.Remove(id, out var result))
                {
                    response.TaskResList.Add(result);
                }
            }

            if (response.TaskResList.Count > 0)
            {
                await c.State.CommitAsync(new ResultsDelivered([.. response.TaskResList.Select(r => r.TaskId)]));
            }

            return response;
        }
    }
}
