namespace Ring.Waiting;

/// <summary>How a side waits for work.</summary>
public enum WaitMode
{
    /// <summary>Busy-poll: spin on the rings, no system calls; lowest latency, one whole core.</summary>
    Poll,
    /// <summary>Event-wait: sleep on the doorbell as soon as a poll finds nothing.</summary>
    Event,
    /// <summary>Poll for a budget, then sleep on the doorbell.</summary>
    Hybrid,
}
