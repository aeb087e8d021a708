namespace Sim.Campaign;

/// <summary>Where a running campaign stands.</summary>
/// <param name="Done">Units finished, earlier runs of a resumed campaign included.</param>
/// <param name="Findings">Findings so far.</param>
/// <param name="DoneThisRun">Units finished by this run.</param>
/// <param name="Elapsed">Wall time of this run.</param>
/// <param name="Workers">Worker processes alive.</param>
public sealed record CampaignStatus(long Done, long Findings, long DoneThisRun, TimeSpan Elapsed, int Workers)
{
    /// <summary>Units per wall second in this run.</summary>
    public double Rate => Elapsed.TotalSeconds > 0 ? DoneThisRun / Elapsed.TotalSeconds : 0;
}
