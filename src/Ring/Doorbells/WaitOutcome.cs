namespace Ring.Doorbells;

/// <summary>How a sleep on a doorbell word ended.</summary>
internal enum WaitOutcome
{
    /// <summary>The peer woke us.</summary>
    Woken,
    /// <summary>The word had already changed (a ring landed before the sleep began): no sleep at all.</summary>
    AlreadyRung,
    /// <summary>The timeout passed.</summary>
    TimedOut,
    /// <summary>A signal interrupted the sleep.</summary>
    Interrupted,
}
