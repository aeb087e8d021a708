namespace Sim.Cli;

/// <summary>What the verbs write to, and the clock that dates a campaign's seeds (tests inject both).</summary>
/// <param name="Stdout">Where results go.</param>
/// <param name="Stderr">Where messages and progress go.</param>
/// <param name="UtcNow">The current UTC time (for <c>seeds.start: auto</c>).</param>
public sealed record CliContext(TextWriter Stdout, TextWriter Stderr, Func<DateTime> UtcNow);
