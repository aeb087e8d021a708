namespace Sim.Worlds;

/// <summary>One event of the log, as recorded: the fields of its line, before formatting.</summary>
/// <param name="Step">The scheduling step it happened in.</param>
/// <param name="Time">Virtual time.</param>
/// <param name="Kind">A dotted name (<c>net.deliver</c>, <c>process.kill</c>, <c>log.rpc.done</c>…).</param>
/// <param name="Subject">Who: a process, a machine, or a link <c>from-&gt;to</c>.</param>
/// <param name="Details">The rest of the line, <c>key=value</c> words and free text.</param>
public sealed record LoggedEvent(long Step, TimeSpan Time, string Kind, string Subject, string Details);
