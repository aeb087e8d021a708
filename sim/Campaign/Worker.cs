using System.Runtime.InteropServices;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace Sim.Campaign;

/// <summary>
/// The worker side of a campaign (the hidden `sim worker` verb): a DealerSocket connected to the coordinator asks for
/// units, runs each with the real engines and sends the result back, until told to stop. A <see cref="CoordinatorWatch"/>
/// ends it within two seconds of losing its coordinator (its process gone, its connection closed, or its heartbeats
/// unanswered), even in the middle of a unit. SIGTERM ends it at once (exit 143; the coordinator runs its unit again);
/// Ctrl-C is the coordinator's to handle (a terminal sends it to every process of the group), so a worker ignores SIGINT.
/// </summary>
public static class Worker
{
    /// <summary>Exit codes of `sim worker`.</summary>
    public const int Stopped = 0, BadInput = 2, UnitCrashed = 70, LostCoordinator = 75;

    public static int Run(string endpoint, int id, int? parent, TestFaults faults, TextWriter stderr)
    {
        using var ignoreInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        var code = Stopped;
        using (var dealer = new DealerSocket())
        {
            dealer.Options.Identity = Encoding.UTF8.GetBytes(WorkerProcess.IdentityOf(id));
            dealer.Options.Linger = TimeSpan.FromSeconds(5);
            dealer.Options.HeartbeatInterval = CoordinatorWatch.HeartbeatInterval;
            dealer.Options.HeartbeatTimeout = CoordinatorWatch.HeartbeatTimeout;
            using var watch = new CoordinatorWatch(dealer, endpoint, id, parent, stderr);
            dealer.Connect(endpoint);
            dealer.SendFrame(new WorkerMessage("ready").ToJson());
            while (true)
            {
                if (!dealer.TryReceiveFrameString(TimeSpan.FromSeconds(1), out var text))
                {
                    continue;
                }

                var message = WorkerMessage.FromJson(text);
                if (message.Kind != "unit" || message.Unit is not { } unit)
                {
                    break;
                }

                faults.Apply(unit.Unit);
                UnitResult result;
                try
                {
                    result = UnitRunner.Run(unit);
                }
                catch (Exception e)
                {
                    // The engine threw: report it as this unit's crash, then exit (the coordinator starts a fresh worker).
                    result = new UnitResult(unit.Unit, "crash", null, $"the worker threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}", null, 0, null, null, [], null);
                    code = UnitCrashed;
                }

                dealer.SendFrame(new WorkerMessage("result", Result: result).ToJson());
                if (code != Stopped)
                {
                    break;
                }
            }

            watch.Stopping();
        }

        // Lets the last result out before the process ends.
        NetMQConfig.Cleanup(block: true);
        return code;
    }
}
