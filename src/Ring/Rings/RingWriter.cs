using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// The writer's half of a single-producer/single-consumer ring in shared memory (<see cref="RingLayout"/>): it
/// moves the producer index. Two-phase and burst-shaped, as AF_XDP's <c>xsk_ring_prod__reserve/submit</c>:
/// <see cref="Reserve"/> says how many slots are free, the caller fills them with <see cref="Set"/>, and
/// <see cref="Submit"/> publishes them with one release store.
/// </summary>
/// <remarks>
/// Design: the writer keeps the producer index it owns in <see cref="_nextToWrite"/> and a cached copy of the
/// peer's consumer index. It reads the shared consumer index only when the cache says there is not enough room,
/// so an uncontended burst touches no line the reader writes. The peer's index is untrusted: a consumer index
/// that runs ahead of what was produced, or goes backwards, is a protocol violation.
/// Not thread-safe: one thread per ring side.
/// </remarks>
public sealed unsafe class RingWriter<T> where T : unmanaged
{
    private readonly T* _entries;
    private readonly uint* _producerIndex;
    private readonly uint* _consumerIndex;
    private readonly uint _mask;
    private readonly string _name;

    // Owner-only copy of the shared producer index: only this side writes it, so it needs no ordering to read.
    private uint _nextToWrite;
    // The consumer index as last read from shared memory; never ahead of the real one.
    private uint _cachedConsumer;

    internal RingWriter(byte* ring, int size, string name)
    {
        _entries = (T*)(ring + RingLayout.EntriesOffset);
        _producerIndex = (uint*)(ring + RingLayout.ProducerIndexOffset);
        _consumerIndex = (uint*)(ring + RingLayout.ConsumerIndexOffset);
        _mask = (uint)size - 1;
        _name = name;
        // Attaching mid-stream is legal (a ring may have been used); start from the shared indices.
        _nextToWrite = Volatile.Read(ref *_producerIndex);
        _cachedConsumer = Volatile.Read(ref *_consumerIndex);
        if (_nextToWrite - _cachedConsumer > (uint)size)
            throw new RingProtocolException(ViolationCode.ConsumerIndexJump,
                $"{name} ring: indices inconsistent at attach (producer {_nextToWrite}, consumer {_cachedConsumer}, size {size})");
    }

    /// <summary>Entries the ring holds.</summary>
    public int Size => (int)(_mask + 1);

    /// <summary>The producer index this side will publish next (owner-only).</summary>
    public uint ProducerIndex => _nextToWrite;

    /// <summary>How many of <paramref name="wanted"/> slots are free to fill (as many as fit, possibly 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Reserve(int wanted)
    {
        uint free = _mask + 1 - (_nextToWrite - _cachedConsumer);
        if (free < (uint)wanted)
            free = RefreshFree();
        return (int)Math.Min(free, (uint)wanted);
    }

    /// <summary>The reserved slots, for a burst's loop: slot <c>i</c> is the <c>i</c>-th reserved entry.</summary>
    public RingSlots<T> Slots => new(_entries, _nextToWrite, _mask);

    /// <summary>Writes <paramref name="value"/> into the <paramref name="i"/>-th reserved slot.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, in T value) => _entries[(_nextToWrite + (uint)i) & _mask] = value;

    /// <summary>Publishes the first <paramref name="count"/> reserved slots to the reader.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Submit(int count)
    {
        if (count == 0)
            return; // an empty burst must not store: the store would take the line away from the reader's cache
        _nextToWrite += (uint)count;
        // R1 (release): the slot stores made by Set above become visible no later than the new producer index.
        // Pairs with A1 in RingReader.RefreshAvailable on the reader's side.
        Volatile.Write(ref *_producerIndex, _nextToWrite);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint RefreshFree()
    {
        // A2 (acquire): the reader's loads of the slots it released happen before we overwrite them.
        // Pairs with R2 in RingReader.Release.
        uint consumer = Volatile.Read(ref *_consumerIndex);
        uint inFlight = _nextToWrite - _cachedConsumer;
        if (consumer - _cachedConsumer > inFlight)
            ThrowConsumerJump(consumer);
        _cachedConsumer = consumer;
        return _mask + 1 - (_nextToWrite - consumer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowConsumerJump(uint consumer) =>
        throw new RingProtocolException(ViolationCode.ConsumerIndexJump,
            $"{_name} ring: consumer index moved from {_cachedConsumer} to {consumer}, outside [{_cachedConsumer}, {_nextToWrite}]");
}
