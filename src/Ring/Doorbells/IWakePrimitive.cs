namespace Ring.Doorbells;

/// <summary>
/// The operating system's cross-process sleep/wake on a 32-bit word in shared memory: a Linux futex here; another
/// OS would plug in its own (a Windows <c>WaitOnAddress</c> does not cross processes, so it would need an event).
/// </summary>
internal interface IWakePrimitive
{
    /// <summary>Sleeps while <paramref name="word"/> equals <paramref name="expected"/>, at most <paramref name="timeout"/>.
    /// The comparison and the sleep are atomic with respect to <see cref="Wake"/>.</summary>
    WaitOutcome Wait(ref uint word, uint expected, TimeSpan timeout);

    /// <summary>Wakes one sleeper on <paramref name="word"/>.</summary>
    void Wake(ref uint word);
}
