namespace Ring.Doorbells;

/// <summary>
/// The sleeper's end of its own doorbell (docs/DOORBELL.md, steps S1-S6): announce, re-check, sleep on the futex
/// word with a timeout, and clear the announcement. Counts what happened, for the run's summary.
/// </summary>
public sealed unsafe class DoorbellSleeper
{
    private readonly uint* _word;
    private readonly uint* _needsWakeup;
    private readonly uint* _maySleep;
    private IWakePrimitive? _primitive;

    internal DoorbellSleeper(uint* word, uint* needsWakeup, uint* maySleep)
    {
        _word = word;
        _needsWakeup = needsWakeup;
        _maySleep = maySleep;
    }

    /// <summary>Sleeps entered (futex waits that began).</summary>
    public long Sleeps { get; private set; }

    /// <summary>Sleeps ended by the peer's doorbell.</summary>
    public long Wakeups { get; private set; }

    /// <summary>Sleeps ended by the timeout.</summary>
    public long Timeouts { get; private set; }

    /// <summary>Whether this side declared a mode that sleeps, so <see cref="Sleep"/> may be called.</summary>
    internal bool CanSleep => _primitive is not null;

    /// <summary>The need-wakeup value announcing a sleep against doorbell value <paramref name="seen"/>: odd, so
    /// never 0, and different for every doorbell value mod 2^31. A ring changes the doorbell value, so once a
    /// sleep was rung, no later sleep announces the same tag.</summary>
    public static uint AnnouncementTag(uint seen) => (seen << 1) | 1;

    /// <summary>Tells the peer, before the handshake completes, whether this side will ever sleep.</summary>
    internal void DeclareMode(bool maySleep)
    {
        if (maySleep)
            _primitive ??= WakePrimitives.ForThisPlatform();
        Volatile.Write(ref *_maySleep, maySleep ? 1u : 0u);
    }

    /// <summary>
    /// Sleeps until the peer rings or <paramref name="timeout"/> passes, unless <paramref name="hasWork"/> (the
    /// re-check of this side's rings and end-of-stream words) finds work after the announcement. Returns whether
    /// it slept.
    /// </summary>
    public bool Sleep(Func<bool> hasWork, TimeSpan timeout)
    {
        var primitive = _primitive ?? throw new InvalidOperationException("this side declared a mode that never sleeps");
        // S1 (acquire): the value this sleep waits against. A ring after this point changes it (W4).
        uint seen = Volatile.Read(ref *_word);
        // S2 + S3: announce, with a full fence (the exchange is a locked instruction), so the announcement is
        // visible before the re-check's loads. Pairs with W2 in Doorbell.RingIfPeerSleeps. The announcement is a
        // tag of this sleep (never 0), so the waker rings each sleep once (see Doorbell.RingIfPeerSleeps).
        Interlocked.Exchange(ref *_needsWakeup, AnnouncementTag(seen));
        // S4: re-check after announcing; work that arrived before the peer could see the announcement is found here.
        if (hasWork())
        {
            Volatile.Write(ref *_needsWakeup, 0u);
            return false;
        }
        // S5
        var outcome = primitive.Wait(ref *_word, seen, timeout);
        // S6
        Volatile.Write(ref *_needsWakeup, 0u);
        if (outcome == WaitOutcome.AlreadyRung)
        {
            Wakeups++;
            return false;
        }
        Sleeps++;
        if (outcome == WaitOutcome.TimedOut)
            Timeouts++;
        else
            Wakeups++;
        return true;
    }
}
