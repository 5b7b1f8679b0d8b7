namespace Ring;

/// <summary>How a side waits when a poll finds no work.</summary>
public enum WaitMode
{
    /// <summary>Busy-poll: spin on the rings, no system calls; lowest latency and highest packet rate, one whole core.</summary>
    Poll,
    /// <summary>Event-wait: sleep on the doorbell as soon as a poll finds nothing; the peer rings it after it
    /// publishes work. Saves the core, pays a wake-up per sleep, and moves many packets per wake-up under load.</summary>
    Event,
    /// <summary>Poll for a budget (<see cref="GuestOptions.HybridPollBudget"/>), then sleep on the doorbell.</summary>
    Hybrid,
}
