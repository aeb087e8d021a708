namespace Sim.Shared;

/// <summary>The exit codes of every `sim` verb.</summary>
public static class ExitCodes
{
    /// <summary>Nothing found (a campaign: no unexpected finding, and it ran to its end).</summary>
    public const int Ok = 0;

    /// <summary>A bug found (a campaign: a unit without a planted defect failed), or a replay that reproduced its bug.</summary>
    public const int Bug = 1;

    /// <summary>Bad input: a flag, a file or a directory the user must fix; the message names it.</summary>
    public const int BadInput = 2;

    /// <summary>A replay that did not reproduce its finding (another invariant, or another event-log hash).</summary>
    public const int Diverged = 3;

    /// <summary>A campaign stopped by SIGINT or SIGTERM before its units or budget were done: run it again with --resume.</summary>
    public const int Interrupted = 4;

    /// <summary>An internal error of `sim` itself: one line on stderr and the details in a crash log.</summary>
    public const int InternalError = 70;

    /// <summary>What every verb's --help says about them.</summary>
    public const string Help =
        "Exit codes: 0 nothing found; 1 a bug found (or a replay that reproduced it); 2 bad input, with a message naming it; "
        + "3 a replay that diverged; 4 a campaign interrupted (SIGINT/SIGTERM) before it was done, resumable with --resume; "
        + "70 an internal error of sim (its details go to a crash log).";
}
