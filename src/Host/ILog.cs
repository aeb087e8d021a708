namespace Sim.Stack.Host;

/// <summary>A structured log that lands in the run's event log.</summary>
public interface ILog
{
    /// <summary>Records <paramref name="evt"/> (a short dotted name) with its details.</summary>
    void Info(string evt, string details);

    /// <summary>Records a warning: something went wrong that the process handled.</summary>
    void Warn(string evt, string details);
}
