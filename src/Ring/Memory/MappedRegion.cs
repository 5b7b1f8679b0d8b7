using Ring.Control;

namespace Ring.Memory;

/// <summary>
/// A region's sealed memory, mapped (read-write for the guest and the device, read-only for an observer), with a
/// reference count as <c>SafeHandle</c> keeps one: the mapping stays until the last user releases it, so disposing a
/// <see cref="Guest"/> or a <see cref="Device"/> never unmaps memory a reader, a writer or a waiter thread is still
/// inside (each holds a reference, and each call is fenced by a <see cref="CallGate"/>).
/// </summary>
internal sealed unsafe class MappedRegion
{
    private static int s_lastId;

    private readonly SealedMemory _memory;
    private int _references = 1;

    public MappedRegion(string path, SealedMemory memory)
    {
        Path = path;
        _memory = memory;
        Id = Interlocked.Increment(ref s_lastId);
    }

    /// <summary>The region's name as a path: the guest's control socket.</summary>
    public string Path { get; }

    /// <summary>Bytes mapped.</summary>
    public long Length => _memory.Length;

    /// <summary>Whether the mapping may be written.</summary>
    public bool Writable => _memory.IsWritable;

    /// <summary>A number unique among the regions this process opened: it tags every <see cref="Packet"/>.</summary>
    public int Id { get; }

    /// <summary>The first mapped byte. Valid while the caller holds a reference.</summary>
    public byte* Base => _memory.Address;

    /// <summary>The sealed memory behind the mapping (the guest passes its descriptor to devices and observers).</summary>
    public SealedMemory Memory => _memory;

    /// <summary>Takes one more reference; fails when the mapping is already gone.</summary>
    public void AddRef()
    {
        while (true)
        {
            int seen = Volatile.Read(ref _references);
            if (seen == 0)
                throw new ObjectDisposedException(nameof(MappedRegion));
            if (Interlocked.CompareExchange(ref _references, seen + 1, seen) == seen)
                return;
        }
    }

    /// <summary>Drops a reference; the last one unmaps.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0)
            return;
        if (left < 0)
            throw new InvalidOperationException("region released more often than referenced");
        _memory.Dispose();
    }
}
