using Grpc.Core;
using Sim.Stack.Host;

namespace Sim.Scenarios.SchedulerFailover;

/// <summary>The intruder's probe <paramref name="Probe"/> was answered <paramref name="Got"/>; the rules say <paramref name="Expected"/>.</summary>
public sealed record ProbeAnswered(string Probe, StatusCode Expected, StatusCode Got, string Detail) : SimEvent
{
    public override string Kind => "probe.answered";

    public override string Details => $"{Probe}: {Got} (expected {Expected}){(Detail.Length > 0 ? " " + Detail : "")}";
}
