using System.Diagnostics;

namespace Ring.Doorbells;

/// <summary>
/// The waker's end of the peer's doorbell (docs/DOORBELL.md, steps W1-W5). After each publish the queue calls
/// <see cref="Published"/>; the doorbell is rung only when the peer has announced that it is about to sleep, and
/// not at all when the peer's mode never sleeps. On the device, interrupt coalescing may hold a doorbell it owes
/// until enough packets are pending or a timer runs out.
/// </summary>
internal sealed unsafe class Doorbell
{
    private readonly uint* _word;
    private readonly uint* _peerNeedsWakeup;
    private readonly uint* _peerMaySleep;
    private readonly ulong* _rings;
    private readonly ulong* _publishedRings;
    private IWakePrimitive? _primitive;
    private bool _armed;

    private int _coalesceFrames;
    private long _coalesceTicks;
    private int _owedPackets;
    private long _owedSince;
    // The announcement tag of the last sleep this doorbell rang; owner-only.
    private uint _lastRungTag;

    /// <summary>The waker's end of the doorbell at <paramref name="word"/>, counting its rings at <paramref name="rings"/>
    /// (this side's own counter, which only this waker writes) and publishing the count at <paramref name="publishedRings"/>
    /// (the counter in the region, which the peer could write too, so it is never read back).</summary>
    public Doorbell(uint* word, uint* peerNeedsWakeup, uint* peerMaySleep, ulong* rings, ulong* publishedRings)
    {
        _word = word;
        _peerNeedsWakeup = peerNeedsWakeup;
        _peerMaySleep = peerMaySleep;
        _rings = rings;
        _publishedRings = publishedRings;
    }

    /// <summary>Whether a coalesced doorbell is owed to the peer.</summary>
    public bool Owed => _owedPackets != 0;

    /// <summary>
    /// Reads once whether the peer's mode can sleep (it wrote that before the handshake completed). A doorbell
    /// whose peer never sleeps stays silent and costs nothing per burst.
    /// </summary>
    public void Arm()
    {
        _armed = Volatile.Read(ref *_peerMaySleep) != 0;
        if (_armed)
            _primitive ??= FutexWakePrimitive.ForThisPlatform();
    }

    /// <summary>Forgets the last peer: its announcements, an owed ring and whether it sleeps (read again by
    /// <see cref="Arm"/> once the next peer declared its mode). The doorbell word starts again from 0, so a tag rung
    /// before the reset may be announced again.</summary>
    public void Reset()
    {
        _armed = false;
        _lastRungTag = 0;
        _owedPackets = 0;
    }

    /// <summary>Holds the doorbell until <paramref name="frames"/> packets are owed (0: no frame limit) or
    /// <paramref name="time"/> has passed since the first (zero: none), like <c>ethtool -C rx-frames/rx-usecs</c>.</summary>
    public void Coalesce(int frames, TimeSpan time)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        ArgumentOutOfRangeException.ThrowIfLessThan(time, TimeSpan.Zero);
        _coalesceFrames = frames;
        _coalesceTicks = (long)(time.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>Called after <paramref name="packets"/> were published (W1): rings if the peer sleeps, unless
    /// coalescing holds the doorbell back.</summary>
    public void Published(int packets)
    {
        if (!_armed || packets == 0)
            return;
        if (_coalesceFrames != 0 || _coalesceTicks != 0)
        {
            long now = Stopwatch.GetTimestamp();
            if (_owedPackets == 0)
                _owedSince = now;
            _owedPackets += packets;
            if (!Due(now))
                return;
        }
        RingIfPeerSleeps();
    }

    /// <summary>Rings now if the peer sleeps, whatever coalescing holds: for end-of-stream marks, and for a device
    /// going idle whose coalescing timer has run out (<see cref="FlushIfDue"/>).</summary>
    public void Flush()
    {
        if (_armed)
            RingIfPeerSleeps();
    }

    /// <summary>Rings an owed doorbell once its coalescing time is up (or at once when only frames are counted).</summary>
    public void FlushIfDue()
    {
        if (_owedPackets != 0 && (_coalesceTicks == 0 || Stopwatch.GetTimestamp() - _owedSince >= _coalesceTicks))
            RingIfPeerSleeps();
    }

    private bool Due(long now) =>
        (_coalesceFrames != 0 && _owedPackets >= _coalesceFrames)
        || (_coalesceTicks != 0 && now - _owedSince >= _coalesceTicks);

    private void RingIfPeerSleeps()
    {
        _owedPackets = 0;
        // W2 (full fence): our release store of the producer index or end-of-stream word (W1) is ordered before
        // the load of the peer's announcement (W3); without it the load can pass the store in the store buffer
        // and both sides miss each other. Pairs with S3 in DoorbellSleeper.Sleep.
        Interlocked.MemoryBarrier();
        // W3: the peer announced it is about to sleep (S2) or sleeps. A tag this doorbell already rang is a sleep
        // that is already being woken: a second ring would only be another system call. (Safe: ringing changed
        // the doorbell value, so the peer's next sleep announces a different tag.)
        uint tag = Volatile.Read(ref *_peerNeedsWakeup);
        if (tag == 0 || tag == _lastRungTag)
            return;
        _lastRungTag = tag;
        // W4: change the word the peer waits against, so a sleep that begins after this returns at once (S5).
        Interlocked.Increment(ref *_word);
        // W5
        _primitive!.Wake(ref *_word);
        // Owner-only counters: plain aligned stores, which an observer never sees torn.
        *_rings += 1;
        *_publishedRings = *_rings;
    }
}
