namespace Ring;

/// <summary>
/// A snapshot of one direction of one side of a queue pair (a <see cref="PacketReader"/> or a
/// <see cref="PacketWriter"/>), read from the region's counters.
/// </summary>
public readonly struct PacketCounters
{
    private readonly long[] _drops;

    internal PacketCounters(long packets, long bytes, long packetEntries, long bufferEntries, long doorbells, long starved,
        long held, long[] drops)
    {
        Packets = packets;
        Bytes = bytes;
        PacketEntries = packetEntries;
        BufferEntries = bufferEntries;
        Doorbells = doorbells;
        Starved = starved;
        Held = held;
        _drops = drops;
    }

    /// <summary>Packets moved: received by a reader, sent by a writer.</summary>
    public long Packets { get; }

    /// <summary>Bytes of those packets.</summary>
    public long Bytes { get; }

    /// <summary>Packet-ring entries (RX completion or TX descriptors) read by a reader, good or dropped, or written by
    /// a writer. The peer's end-of-stream total counts these.</summary>
    public long PacketEntries { get; }

    /// <summary>Buffer-ring entries (fill or TX completion) written by a reader (buffers given back to the peer) or
    /// read by a writer (buffers taken from the peer, good or dropped).</summary>
    public long BufferEntries { get; }

    /// <summary>Doorbells rung (system calls made to wake the peer).</summary>
    public long Doorbells { get; }

    /// <summary>Rents that found no buffer: the peer had none to give, or the application holds them all.</summary>
    public long Starved { get; }

    /// <summary>Buffers the application holds now.</summary>
    public long Held { get; }

    /// <summary>Entries dropped for <paramref name="reason"/>.</summary>
    public long DropsFor(DropReason reason) => _drops is null ? 0 : _drops[(int)reason];

    /// <summary>All entries dropped. Counters read from the region are the peer's to write, so the sum wraps rather
    /// than throws.</summary>
    public long Drops
    {
        get
        {
            long sum = 0;
            foreach (long drops in _drops ?? [])
                sum = unchecked(sum + drops);
            return sum;
        }
    }
}
