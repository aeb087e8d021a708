namespace Sim.Stack.Buggify;

/// <summary>A place in the stack (or the host seam under it) where BUGGIFY may take a rare but real path.</summary>
/// <param name="Name">The site's name, as <c>IHost.Buggify</c> is called with it and the event log prints it.</param>
/// <param name="Component">Where it is.</param>
/// <param name="Description">What happens when it fires, and why real code can do the same.</param>
public sealed record BuggifySite(string Name, string Component, string Description);
