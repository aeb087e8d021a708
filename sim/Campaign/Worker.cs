using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace Sim.Campaign;

/// <summary>
/// The worker side of a campaign (the hidden `sim worker` verb): a DealerSocket connected to the
/// coordinator asks for units, runs each with the real engines and sends the result back, until told to
/// stop or its coordinator is gone. Ctrl-C and SIGTERM are the coordinator's to handle: a worker ignores
/// them, so an interrupted campaign never mistakes its workers' exits for crashes.
/// </summary>
public static class Worker
{
    public static int Run(string endpoint, int id, int? parent, TestFaults faults)
    {
        using var ignoreInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = true);
        using var ignoreTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = true);
        var code = 0;
        using (var dealer = new DealerSocket())
        {
            dealer.Options.Identity = Encoding.UTF8.GetBytes(WorkerProcess.IdentityOf(id));
            dealer.Options.Linger = TimeSpan.FromSeconds(5);
            dealer.Connect(endpoint);
            dealer.SendFrame(new WorkerMessage("ready").ToJson());
            while (true)
            {
                if (!dealer.TryReceiveFrameString(TimeSpan.FromSeconds(1), out var text))
                {
                    if (parent is { } pid && !IsAlive(pid))
                    {
                        break;
                    }

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
                    code = 3;
                }

                dealer.SendFrame(new WorkerMessage("result", Result: result).ToJson());
                if (code != 0)
                {
                    break;
                }
            }
        }

        // Lets the last result out before the process ends.
        NetMQConfig.Cleanup(block: true);
        return code;
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
