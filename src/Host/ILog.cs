namespace Sim.Stack.Host;

/// <summary>A structured log that lands in the run's event log.</summary>
public interface ILog
{
    /// <summary>Reports what happened as a typed record: checkers and reports subscribe to its type.</summary>
    void Event(SimEvent evt);

    /// <summary>Records a free-text note (a short dotted name and details): for people, never parsed back.</summary>
    void Info(string evt, string details);

    /// <summary>Records a warning: something went wrong that the process handled. For people, never parsed back.</summary>
    void Warn(string evt, string details);
}
