using System.Runtime.CompilerServices;
using Ring.Layout;

namespace Ring.Rings;

/// <summary>
/// The reader's half of a single-producer/single-consumer ring in shared memory (<see cref="RingLayout"/>): it
/// moves the consumer index. Two-phase, as AF_XDP's <c>xsk_ring_cons__peek/release</c>: <see cref="Peek"/> says
/// how many entries are ready, the caller copies each out once with <see cref="Get"/>, and <see cref="Release"/>
/// hands the slots back with one release store.
/// </summary>
/// <remarks>
/// Design: the reader keeps the consumer index it owns in <see cref="_nextToRead"/> and a cached copy of the
/// peer's producer index, re-read only when the cache runs out. The peer's index is untrusted: a producer index
/// that claims more than a ring's worth of entries, or goes backwards, is a protocol violation.
/// Not thread-safe: one thread per ring side.
/// </remarks>
public sealed unsafe class RingReader<T> where T : unmanaged
{
    private readonly T* _entries;
    private readonly uint* _producerIndex;
    private readonly uint* _consumerIndex;
    private readonly uint _mask;
    private readonly string _name;

    // Owner-only copy of the shared consumer index: only this side writes it.
    private uint _nextToRead;
    // The producer index as last read from shared memory; never ahead of the real one.
    private uint _cachedProducer;

    internal RingReader(byte* ring, int size, string name)
    {
        _entries = (T*)(ring + RingLayout.EntriesOffset);
        _producerIndex = (uint*)(ring + RingLayout.ProducerIndexOffset);
        _consumerIndex = (uint*)(ring + RingLayout.ConsumerIndexOffset);
        _mask = (uint)size - 1;
        _name = name;
        _nextToRead = Volatile.Read(ref *_consumerIndex);
        _cachedProducer = Volatile.Read(ref *_producerIndex);
        if (_cachedProducer - _nextToRead > (uint)size)
            throw new RingProtocolException(ViolationCode.ProducerIndexJump,
                $"{name} ring: indices inconsistent at attach (producer {_cachedProducer}, consumer {_nextToRead}, size {size})");
    }

    /// <summary>Entries the ring holds.</summary>
    public int Size => (int)(_mask + 1);

    /// <summary>The consumer index this side has published (owner-only).</summary>
    public uint ConsumerIndex => _nextToRead;

    /// <summary>How many of <paramref name="wanted"/> entries are ready to read (as many as there are, possibly 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Peek(int wanted)
    {
        uint available = _cachedProducer - _nextToRead;
        if (available < (uint)wanted)
            available = RefreshAvailable(available);
        return (int)Math.Min(available, (uint)wanted);
    }

    /// <summary>Whether at least one entry is ready (re-reads the producer index only when the cache is empty).</summary>
    public bool HasEntries => Peek(1) != 0;

    /// <summary>The peeked slots, for a burst's loop: slot <c>i</c> is the <c>i</c>-th peeked entry.</summary>
    public RingSlots<T> Slots => new(_entries, _nextToRead, _mask);

    /// <summary>A copy of the <paramref name="i"/>-th peeked entry. Read each entry once and keep the copy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T Get(int i) => _entries[(_nextToRead + (uint)i) & _mask];

    /// <summary>Hands the first <paramref name="count"/> peeked slots back to the writer.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Release(int count)
    {
        if (count == 0)
            return; // an empty burst must not store: the store would take the line away from the writer's cache
        _nextToRead += (uint)count;
        // R2 (release): our loads of the released slots complete before the writer can see them free.
        // Pairs with A2 in RingWriter.RefreshFree.
        Volatile.Write(ref *_consumerIndex, _nextToRead);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint RefreshAvailable(uint cachedAvailable)
    {
        // A1 (acquire): the writer's slot stores are visible before we read the slots it published.
        // Pairs with R1 in RingWriter.Submit.
        uint producer = Volatile.Read(ref *_producerIndex);
        uint available = producer - _nextToRead;
        if (available > _mask + 1 || available < cachedAvailable)
            ThrowProducerJump(producer);
        _cachedProducer = producer;
        return available;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowProducerJump(uint producer) =>
        throw new RingProtocolException(ViolationCode.ProducerIndexJump,
            $"{_name} ring: producer index moved from {_cachedProducer} to {producer} (consumer {_nextToRead}, size {_mask + 1})");
}
