namespace Ring.Harness.Hosting;

/// <summary>Managed allocations and garbage collections since construction, for the "0 bytes per packet" check.</summary>
public sealed class AllocationMeter
{
    private readonly long _bytesAtStart = GC.GetTotalAllocatedBytes(precise: true);
    private readonly int _collectionsAtStart = CountCollections();
    private long _bytes;
    private int _collections;

    /// <summary>Bytes allocated between construction and <see cref="Stop"/>.</summary>
    public long Bytes => _bytes;

    /// <summary>Collections between construction and <see cref="Stop"/>.</summary>
    public int Collections => _collections;

    /// <summary>Takes the readings.</summary>
    public void Stop()
    {
        _bytes = GC.GetTotalAllocatedBytes(precise: true) - _bytesAtStart;
        _collections = CountCollections() - _collectionsAtStart;
    }

    private static int CountCollections() => GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
}
