using System.Runtime.CompilerServices;

namespace Ring.Rings;

/// <summary>
/// One burst's view of a ring's slots, from the owner's index on: slot <c>i</c> is entry <c>index + i</c>. Taken
/// once per burst, it keeps the slot pointer, the start index and the mask in registers for the burst's loop,
/// where going through the ring object would reload them after every store the JIT cannot prove unrelated.
/// </summary>
public readonly unsafe ref struct RingSlots<T> where T : unmanaged
{
    private readonly T* _entries;
    private readonly uint _first;
    private readonly uint _mask;

    internal RingSlots(T* entries, uint first, uint mask)
    {
        _entries = entries;
        _first = first;
        _mask = mask;
    }

    /// <summary>A copy of slot <paramref name="i"/> (read each slot the peer wrote once, and keep the copy).</summary>
    public T this[int i]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _entries[(_first + (uint)i) & _mask];
    }

    /// <summary>Writes slot <paramref name="i"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Set(int i, in T value) => _entries[(_first + (uint)i) & _mask] = value;
}
