namespace Sim.Stack.Host;

/// <summary>
/// Everything a simulated process may touch. The stack receives one of these per process
/// incarnation and never reaches past it for time, threads, sockets, disk or randomness.
/// </summary>
public interface IHost
{
    /// <summary>The process's stable identity (survives restarts).</summary>
    string Name { get; }

    /// <summary>The machine the process runs on.</summary>
    string Machine { get; }

    /// <summary>How many times this process has been started (1 for the first start).</summary>
    int Incarnation { get; }

    IClock Clock { get; }

    IRandomSource Random { get; }

    INetwork Network { get; }

    IDisk Disk { get; }

    ILog Log { get; }

    /// <summary>
    /// Cancelled when the process is asked to stop gracefully. A kill cancels nothing: the process's code
    /// simply never runs again (its pending waits never complete).
    /// </summary>
    CancellationToken Lifetime { get; }

    /// <summary>Starts a background loop owned by the process; it dies with the process.</summary>
    void Spawn(string name, Func<CancellationToken, Task> loop);

    /// <summary>
    /// BUGGIFY (FoundationDB): whether to take the rare but real path at <paramref name="site"/> this time. In
    /// simulation a site is enabled for the run with probability 0.25 when first reached, then fires with
    /// probability 0.25 each time, never after the quiet point. Outside simulation, never. Every site is listed
    /// in <see cref="Buggify.BuggifyCatalogue"/>.
    /// </summary>
    bool Buggify(string site) => false;
}
