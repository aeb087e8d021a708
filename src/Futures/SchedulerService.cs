using Grpc.Core;
using Sim.Stack.Futures.Contracts;

namespace Sim.Stack.Futures;

/// <summary>The scheduler's gRPC face: report streams, submits, cancels and restarts, each acting on <see cref="Scheduler"/>.</summary>
internal sealed class SchedulerService(Scheduler s) : Contracts.Scheduler.SchedulerBase
{
    public override async Task Connect(ConnectRequest request, IServerStreamWriter<Report> responseStream, ServerCallContext context)
    {
        var session = s.Open(request.Client, Identity(context));
        try
        {
            await responseStream.WriteAsync(new Report { StreamStart = new StreamStart { Scheduler = s.Name, Incarnation = s.Incarnation, Session = session.Token } });
            var registration = context.CancellationToken.Register(static c => ((Session)c!).Wake(), session);
            try
            {
                while (!context.CancellationToken.IsCancellationRequested && session.Open)
                {
                    while (session.Outbox.TryDequeue(out var report))
                    {
                        await responseStream.WriteAsync(report);
                    }

                    await session.WaitAsync();
                }
            }
            finally
            {
                registration.Unregister();
            }
        }
        finally
        {
            s.Close(session);
        }
    }

    public override Task<SubmitReply> Submit(SubmitRequest request, ServerCallContext context)
    {
        s.Submit(s.Authorize("Submit", request.Client, request.Session, Identity(context)), request.Session, request.Tasks);
        return Task.FromResult(new SubmitReply());
    }

    public override Task<CancelReply> Cancel(CancelRequest request, ServerCallContext context)
    {
        s.Cancel(s.Authorize("Cancel", request.Client, request.Session, Identity(context)), request);
        return Task.FromResult(new CancelReply());
    }

    public override Task<RestartReply> Restart(RestartRequest request, ServerCallContext context)
    {
        s.Restart();
        return Task.FromResult(new RestartReply());
    }

    /// <summary>The TLS identity of the caller: its client certificate's subject, or "" without one.</summary>
    private static string Identity(ServerCallContext context) => context.AuthContext.PeerIdentity.FirstOrDefault()?.Value ?? "";
}
