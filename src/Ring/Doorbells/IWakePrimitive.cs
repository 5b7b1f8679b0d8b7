namespace Ring.Doorbells;

/// <summary>How a sleep on a doorbell word ended.</summary>
public enum WaitOutcome
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

/// <summary>
/// The operating system's cross-process sleep/wake on a 32-bit word in shared memory: a Linux futex here; another
/// OS would plug in its own (a Windows <c>WaitOnAddress</c> does not cross processes, so it would need an event).
/// </summary>
public interface IWakePrimitive
{
    /// <summary>Sleeps while <paramref name="word"/> equals <paramref name="expected"/>, at most <paramref name="timeout"/>.
    /// The comparison and the sleep are atomic with respect to <see cref="Wake"/>.</summary>
    WaitOutcome Wait(ref uint word, uint expected, TimeSpan timeout);

    /// <summary>Wakes one sleeper on <paramref name="word"/>.</summary>
    void Wake(ref uint word);
}
