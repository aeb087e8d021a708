namespace Sim.Worlds;

/// <summary>How a fault action came to be applied, as its event-log line says.</summary>
public enum FaultOrigin
{
    /// <summary>A scenario's script or timeline scheduled it.</summary>
    Scripted,

    /// <summary>The fault injector drew it from a fault kind of the run's profile.</summary>
    Drawn,

    /// <summary>It undoes an earlier fault whose time (<see cref="FaultAction.Lasts"/>) ran out.</summary>
    Undo,

    /// <summary>The quiet point applied it to heal the world before liveness is judged.</summary>
    Quiet,
}
