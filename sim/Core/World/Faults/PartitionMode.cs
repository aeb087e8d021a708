namespace Sim.Worlds;

/// <summary>How the fault injector splits machines when it partitions the network.</summary>
public enum PartitionMode
{
    /// <summary>Cuts both directions between two machines.</summary>
    Symmetric,

    /// <summary>Cuts one direction between two machines: A hears B, B never hears A.</summary>
    Asymmetric,

    /// <summary>Splits the machines into two random non-empty groups and cuts every link between them.</summary>
    GroupSplit,

    /// <summary>Isolates exactly one machine from all others, both directions.</summary>
    IsolateOne,

    /// <summary>Cuts links one by one at intervals, then heals them in random order.</summary>
    Swizzle,
}
