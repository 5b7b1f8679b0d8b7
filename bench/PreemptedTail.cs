namespace Bench;

/// <summary>
/// When a latency tail is the box's and not the transport's: the p99 is far above the p50 and the receiving side's
/// poll thread was preempted during the run (its involuntary context switches). A busy-poller on its own core
/// sees a packet within a few hundred ns; one that lost its core for a time slice sees the packets that arrived
/// meanwhile only when it gets the core back, and a few such stretches make the whole 99th percentile.
/// </summary>
internal static class PreemptedTail
{
    /// <summary>A p99 more than this many times the p50 is a tail worth explaining.</summary>
    public const int TailRatio = 10;

    /// <summary>Whether a run's tail coincides with preemption of its receiver.</summary>
    public static bool Coincides(long p50Ns, long p99Ns, long receiverInvoluntarySwitches) =>
        p50Ns > 0 && p99Ns > TailRatio * p50Ns && receiverInvoluntarySwitches > 0;

    /// <summary>How many times the p50 the p99 is, as printed: "4836" or, under 100, one decimal ("10.7").</summary>
    public static string Ratio(long p99Ns, long p50Ns)
    {
        double ratio = (double)p99Ns / p50Ns;
        return ratio.ToString(ratio < 100 ? "0.#" : "0", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>"the consumer was preempted 12 times" and, when it was too, "(the producer 3 times)".</summary>
    public static string Preempted(string receiver, long receiverSwitches, string sender, long senderSwitches) =>
        $"the {receiver} was preempted {receiverSwitches} {Times(receiverSwitches)}"
        + (senderSwitches > 0 ? $" (the {sender} {senderSwitches} {Times(senderSwitches)})" : "");

    private static string Times(long n) => n == 1 ? "time" : "times";
}
