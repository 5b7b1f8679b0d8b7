using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Queues;

/// <summary>
/// One ring half's counters: this side's own copy, which only the half's own thread writes and which every decision
/// and this side's own reports read, published to the half's block in the region (<see cref="CountersLayout"/>) with
/// plain aligned 64-bit stores (a single writer needs no read-modify-write, and an aligned store is never torn) for
/// observers, who read it with <see cref="Read"/>. The region's block is never read back here: the peer can write
/// it, and a count it forged must not become this side's (a held gauge that says every buffer is held, an
/// end-of-stream total, a sum that overflows).
/// </summary>
internal readonly unsafe struct HalfCounters
{
    private const int Slots = RegionLayout.BlockLength / sizeof(ulong);

    private readonly ulong[] _copy; // pinned for the half's lifetime: _own points into it
    private readonly ulong* _own;
    private readonly ulong* _published;

    /// <summary>Counters that start at zero and are published to the block at <paramref name="block"/>.</summary>
    public HalfCounters(byte* block)
    {
        _copy = GC.AllocateArray<ulong>(Slots, pinned: true);
        _own = (ulong*)Unsafe.AsPointer(ref _copy[0]);
        _published = (ulong*)block;
    }

    /// <summary>Packet-ring entries counted so far (the end-of-stream total).</summary>
    public ulong PacketEntries => _own[HalfCountersLayout.PacketEntriesOffset / sizeof(ulong)];

    /// <summary>Buffers the application holds now.</summary>
    public ulong Held => _own[HalfCountersLayout.HeldOffset / sizeof(ulong)];

    /// <summary>Where the doorbell counts its rings (this side's copy) ...</summary>
    public ulong* Doorbells => _own + HalfCountersLayout.DoorbellsOffset / sizeof(ulong);

    /// <summary>... and where it publishes the count.</summary>
    public ulong* PublishedDoorbells => _published + HalfCountersLayout.DoorbellsOffset / sizeof(ulong);

    /// <summary>Counts a burst on the packet ring: <paramref name="entries"/> entries, of which <paramref name="packets"/>
    /// packets of <paramref name="bytes"/> bytes reached (or left) the application, which now holds
    /// <paramref name="heldChange"/> more buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountPackets(int entries, int packets, ulong bytes, long heldChange)
    {
        Add(HalfCountersLayout.PacketEntriesOffset, (ulong)entries);
        Add(HalfCountersLayout.PacketsOffset, (ulong)packets);
        Add(HalfCountersLayout.BytesOffset, bytes);
        Add(HalfCountersLayout.HeldOffset, (ulong)heldChange);
    }

    /// <summary>Counts <paramref name="entries"/> entries of the buffer ring, and the application's holding changing by
    /// <paramref name="heldChange"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountBuffers(int entries, long heldChange)
    {
        Add(HalfCountersLayout.BufferEntriesOffset, (ulong)entries);
        Add(HalfCountersLayout.HeldOffset, (ulong)heldChange);
    }

    /// <summary>Starts the counters again from zero but for the held gauge, <paramref name="held"/>, after a reset
    /// cleared the region's block.</summary>
    public void Restart(ulong held)
    {
        Array.Clear(_copy);
        _own[HalfCountersLayout.HeldOffset / sizeof(ulong)] = held;
        _published[HalfCountersLayout.HeldOffset / sizeof(ulong)] = held;
    }

    /// <summary>Counts a rent that found no buffer, or a wait refused because the application holds every buffer.</summary>
    public void CountStarved() => Add(HalfCountersLayout.StarvedOffset, 1);

    /// <summary>Counts one drop for <paramref name="reason"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Drop(DropReason reason) => Add(HalfCountersLayout.DropsOffset + (int)reason * sizeof(ulong), 1);

    /// <summary>Adds <paramref name="value"/> to the counter at <paramref name="offset"/> and publishes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(int offset, ulong value)
    {
        int slot = offset / sizeof(ulong);
        ulong sum = _own[slot] + value;
        _own[slot] = sum;
        _published[slot] = sum;
    }

    /// <summary>This side's counters (each with acquire; a counter is a statistic, so no order between them).</summary>
    public PacketCounters Snapshot() => Read(_own);

    /// <summary>Reads the counter block at <paramref name="block"/>.</summary>
    public static PacketCounters Read(ulong* block)
    {
        var drops = new long[Enum.GetValues<DropReason>().Length];
        for (int r = 0; r < drops.Length; r++)
            drops[r] = (long)Volatile.Read(ref block[HalfCountersLayout.DropsOffset / sizeof(ulong) + r]);
        return new PacketCounters(
            (long)Volatile.Read(ref block[HalfCountersLayout.PacketsOffset / sizeof(ulong)]),
            (long)Volatile.Read(ref block[HalfCountersLayout.BytesOffset / sizeof(ulong)]),
            (long)Volatile.Read(ref block[HalfCountersLayout.PacketEntriesOffset / sizeof(ulong)]),
            (long)Volatile.Read(ref block[HalfCountersLayout.BufferEntriesOffset / sizeof(ulong)]),
            (long)Volatile.Read(ref block[HalfCountersLayout.DoorbellsOffset / sizeof(ulong)]),
            (long)Volatile.Read(ref block[HalfCountersLayout.StarvedOffset / sizeof(ulong)]),
            (long)Volatile.Read(ref block[HalfCountersLayout.HeldOffset / sizeof(ulong)]),
            drops);
    }

    /// <summary>Reads the sleeper block at <paramref name="block"/>.</summary>
    public static SleepCounters ReadSleeper(ulong* block) => new(
        (long)Volatile.Read(ref block[SleeperCountersLayout.SleepsOffset / sizeof(ulong)]),
        (long)Volatile.Read(ref block[SleeperCountersLayout.WakeupsOffset / sizeof(ulong)]),
        (long)Volatile.Read(ref block[SleeperCountersLayout.TimeoutsOffset / sizeof(ulong)]),
        (long)Volatile.Read(ref block[SleeperCountersLayout.SpuriousWakeupsOffset / sizeof(ulong)]));

    static HalfCounters() =>
        System.Diagnostics.Debug.Assert(Enum.GetValues<DropReason>().Length <= HalfCountersLayout.DropSlots);
}
