using Ring.Layout;

namespace Ring.Doorbells;

/// <summary>
/// The sleeper's end of its own doorbell (docs/DOORBELL.md, steps S1-S6): announce, re-check, sleep on the futex
/// word with a timeout, and clear the announcement. Counts what happened, for the run's summary.
/// </summary>
internal sealed unsafe class DoorbellSleeper
{
    private readonly uint* _word;
    private readonly uint* _needsWakeup;
    private readonly uint* _maySleep;
    private readonly ulong* _counters;
    private IWakePrimitive? _primitive;

    /// <summary>The sleeper's end of its doorbell at <paramref name="word"/>, counting into the sleeper block at
    /// <paramref name="counters"/> (<see cref="CountersLayout"/>), which only this sleeper writes.</summary>
    public DoorbellSleeper(uint* word, uint* needsWakeup, uint* maySleep, byte* counters)
    {
        _word = word;
        _needsWakeup = needsWakeup;
        _maySleep = maySleep;
        _counters = (ulong*)counters;
    }

    /// <summary>Sleeps entered (futex waits that began).</summary>
    public long Sleeps => (long)Counter(SleeperCountersLayout.SleepsOffset);

    /// <summary>Whether this side has announced a sleep and not yet woken from it (S2 to S6): for tests that must
    /// act while it sleeps, which the counters, written when a sleep ends, cannot tell.</summary>
    public bool Announced => Volatile.Read(ref *_needsWakeup) != 0;

    /// <summary>Sleeps ended by the peer's doorbell.</summary>
    public long Wakeups => (long)Counter(SleeperCountersLayout.WakeupsOffset);

    /// <summary>Sleeps ended by the timeout.</summary>
    public long Timeouts => (long)Counter(SleeperCountersLayout.TimeoutsOffset);

    /// <summary>Counts a wake-up after which the next poll found nothing.</summary>
    public void CountSpuriousWakeup() => Count(SleeperCountersLayout.SpuriousWakeupsOffset);

    /// <summary>Whether this side declared a mode that sleeps, so <see cref="Sleep"/> may be called.</summary>
    public bool CanSleep => _primitive is not null;

    /// <summary>This sleeper's counter block.</summary>
    public byte* CountersBlock => (byte*)_counters;

    private ulong Counter(int offset) => _counters[offset / sizeof(ulong)];

    // Owner-only counters: plain aligned stores, which an observer never sees torn.
    private void Count(int offset) => _counters[offset / sizeof(ulong)] += 1;

    /// <summary>Wakes this side's own sleep from another thread of this side (an async wait registered while the
    /// waiter thread sleeps for another). Changes the word first, so a sleep that begins later returns at once.</summary>
    public void WakeSelf()
    {
        Interlocked.Increment(ref *_word);
        _primitive?.Wake(ref *_word);
    }

    /// <summary>The need-wakeup value announcing a sleep against doorbell value <paramref name="seen"/>: odd, so
    /// never 0, and different for every doorbell value mod 2^31. A ring changes the doorbell value, so once a
    /// sleep was rung, no later sleep announces the same tag.</summary>
    public static uint AnnouncementTag(uint seen) => (seen << 1) | 1;

    /// <summary>Tells the peer, before the handshake completes, whether this side will ever sleep.</summary>
    public void DeclareMode(bool maySleep)
    {
        if (maySleep)
            _primitive ??= FutexWakePrimitive.ForThisPlatform();
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
            Count(SleeperCountersLayout.WakeupsOffset);
            return false;
        }
        Count(SleeperCountersLayout.SleepsOffset);
        Count(outcome == WaitOutcome.TimedOut ? SleeperCountersLayout.TimeoutsOffset : SleeperCountersLayout.WakeupsOffset);
        return true;
    }
}
