using System.Runtime.CompilerServices;

namespace Ring.Queues;

/// <summary>
/// Free buffers, first in, first out: a buffer given back waits behind every other free one before it is used
/// again, so its lines have long left the peer's cache when this side writes them (reusing the buffer the peer
/// read a moment earlier moves those lines back across the cores). Owner-only.
/// </summary>
internal sealed class BufferFifo(int capacity)
{
    private readonly ulong[] _offsets = new ulong[System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity)];
    private uint _head;

    /// <summary>Buffers in the FIFO.</summary>
    public int Count { get; private set; }

    /// <summary>Adds <paramref name="offset"/> at the back.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(ulong offset)
    {
        _offsets[(_head + (uint)Count) & (uint)(_offsets.Length - 1)] = offset;
        Count++;
    }

    /// <summary>Takes the front buffer; the FIFO must not be empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Pop()
    {
        ulong offset = _offsets[_head++ & (uint)(_offsets.Length - 1)];
        Count--;
        return offset;
    }

    /// <summary>The buffer <paramref name="i"/> places from the front (below <see cref="Count"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Peek(int i) => _offsets[(_head + (uint)i) & (uint)(_offsets.Length - 1)];

    /// <summary>Drops the <paramref name="count"/> front buffers (after <see cref="Peek"/>ing them).</summary>
    public void Skip(int count)
    {
        _head += (uint)count;
        Count -= count;
    }
}
