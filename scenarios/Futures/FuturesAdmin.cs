using Grpc.Core;
using Sim.Stack.Futures;
using Sim.Stack.Host;

namespace Sim.Scenarios.Futures;

/// <summary>An operator who restarts the scheduler's state once (<c>client.restart()</c> upstream) through a client of its own.</summary>
public static class FuturesAdmin
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// At <paramref name="at"/>, connects (retrying every 0.5 s while the scheduler is away), asks for a restart and closes;
    /// a restart the scheduler answered is told to the ledger (the scheduler must then have restarted) and the account; its
    /// connects are judged as a user's.
    /// </summary>
    public static async Task RestartOnceAsync(IHost host, FuturesClientOptions options, TimeSpan at, FuturesOracles oracles, List<string> account)
    {
        await host.Clock.Delay(at, host.Lifetime);
        var attempt = 0;
        while (!host.Lifetime.IsCancellationRequested)
        {
            FuturesClient? client = null;
            var started = host.Clock.Elapsed;
            try
            {
                client = await FuturesClient.ConnectAsync(host, options, $"admin.{++attempt}", ConnectTimeout);
                oracles.Checker.ConnectAnswered(host.Name, ConnectTimeout, host.Clock.Elapsed - started, null);
                await client.RestartSchedulerAsync();
                oracles.Ledger.RestartAsked();
                account.Add($"admin: restarted the scheduler at {host.Clock.Elapsed.TotalSeconds:F3}s");
                return;
            }
            catch (Exception e) when (e is SchedulerUnreachableException or RpcException)
            {
                if (e is SchedulerUnreachableException unreachable)
                {
                    oracles.Checker.ConnectAnswered(host.Name, ConnectTimeout, host.Clock.Elapsed - started, unreachable);
                }

                // A client whose call failed is closed before the next try: left running, it would hold a session.
                client?.Close();
                client = null;
                await host.Clock.Delay(TimeSpan.FromMilliseconds(500), host.Lifetime);
            }
            finally
            {
                client?.Close();
            }
        }
    }
}
