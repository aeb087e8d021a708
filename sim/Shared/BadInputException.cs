namespace Sim.Shared;

/// <summary>Input the user must fix (a flag, a file, a directory): reported in one line with exit code 2, never with a stack trace.</summary>
public sealed class BadInputException(string message) : Exception(message);
