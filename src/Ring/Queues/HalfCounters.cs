using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Queues;

/// <summary>
/// One ring half's counter block in the region (<see cref="CountersLayout"/>). Only the half's own thread writes
/// it, with plain aligned 64-bit stores (a single writer needs no read-modify-write, and an aligned store is never
/// torn); observers read with <see cref="Snapshot"/>.
/// </summary>
internal readonly unsafe struct HalfCounters(byte* block)
{
    private readonly ulong* _block = (ulong*)block;

    /// <summary>Packet-ring entries counted so far (the end-of-stream total).</summary>
    public ulong PacketEntries => _block[HalfCountersLayout.PacketEntriesOffset / sizeof(ulong)];

    /// <summary>Buffers the application holds now.</summary>
    public ulong Held => _block[HalfCountersLayout.HeldOffset / sizeof(ulong)];

    /// <summary>Where the doorbell counts its rings.</summary>
    public ulong* Doorbells => _block + HalfCountersLayout.DoorbellsOffset / sizeof(ulong);

    /// <summary>Counts a burst on the packet ring: <paramref name="entries"/> entries, of which <paramref name="packets"/>
    /// packets of <paramref name="bytes"/> bytes reached (or left) the application, which now holds
    /// <paramref name="heldChange"/> more buffers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountPackets(int entries, int packets, ulong bytes, long heldChange)
    {
        ulong* b = _block;
        b[HalfCountersLayout.PacketEntriesOffset / sizeof(ulong)] += (ulong)entries;
        b[HalfCountersLayout.PacketsOffset / sizeof(ulong)] += (ulong)packets;
        b[HalfCountersLayout.BytesOffset / sizeof(ulong)] += bytes;
        b[HalfCountersLayout.HeldOffset / sizeof(ulong)] += (ulong)heldChange;
    }

    /// <summary>Counts <paramref name="entries"/> entries of the buffer ring, and the application's holding changing by
    /// <paramref name="heldChange"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CountBuffers(int entries, long heldChange)
    {
        ulong* b = _block;
        b[HalfCountersLayout.BufferEntriesOffset / sizeof(ulong)] += (ulong)entries;
        b[HalfCountersLayout.HeldOffset / sizeof(ulong)] += (ulong)heldChange;
    }

    /// <summary>Sets the held gauge (after a reset cleared the block).</summary>
    public void SetHeld(ulong held) => _block[HalfCountersLayout.HeldOffset / sizeof(ulong)] = held;

    /// <summary>Counts a rent that found no buffer, or a wait refused because the application holds every buffer.</summary>
    public void CountStarved() => _block[HalfCountersLayout.StarvedOffset / sizeof(ulong)] += 1;

    /// <summary>Counts one drop for <paramref name="reason"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Drop(DropReason reason) => _block[HalfCountersLayout.DropsOffset / sizeof(ulong) + (int)reason] += 1;

    /// <summary>Reads the block (each counter with acquire; a counter is a statistic, so no order between them).</summary>
    public PacketCounters Snapshot() => Read(_block);

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
