
namespace Ring.Harness.Traffic;

/// <summary>
/// What every queue pair's loop in a program shares: the direction, what a sender sends and how fast, how much a
/// receiver checks, how the loop waits, and the test-only random pauses. Built once from the command line.
/// </summary>
public sealed record LoopSettings(
    Direction Direction,
    PacketStamper Stamper,
    SendPlan Plan,
    WaitMode Mode,
    TimeSpan PollBudget,
    double RatePerQueue,
    double PauseChance,
    int PauseMicros)
{
    /// <summary>What the receivers check (<c>--verify</c>), which is what the stamper writes.</summary>
    public Verification Verification => Stamper.Verification;

    /// <summary>A receiver for one queue's incoming packets.</summary>
    public PacketReceiver NewReceiver() => new(Verification);

    /// <summary>A pacer for one queue's sender.</summary>
    public RatePacer NewPacer() => new(RatePerQueue);

    /// <summary>Random pauses for one queue's loop, seeded so runs repeat.</summary>
    public RandomPauses NewPauses(int seed) => new(PauseChance, PauseMicros, seed);
}
