using Ring.Layout;
using Ring.Memory;

namespace Ring.Region;

/// <summary>
/// Reads a region's header as untrusted input: copies every field once, checks each copy against the layout it
/// recomputes from the geometry, and returns the geometry, or throws a <see cref="RingException"/> naming the field.
/// The device runs it before it touches anything; an observer before it reads counters.
/// </summary>
internal static class HeaderCheck
{
    public static RegionGeometry Validate(MappedRegion region)
    {
        string path = region.Path;
        if (region.Length < RegionLayout.HeaderLength)
            throw new RingException(RingErrorReason.Foreign, $"{path} is not a Ring region: {region.Length} bytes, shorter than a header");
        var h = RegionHeader.Of(region);
        ulong magic = h.MagicAcquire; // acquire: pairs with the guest's PublishMagic, so the fields below are complete
        if (magic != RegionLayout.Magic)
            throw new RingException(RingErrorReason.Foreign, $"{path} is not a Ring region: magic 0x{magic:x16}, expected 0x{RegionLayout.Magic:x16}");
        // Copy every field once; validate the copies; use only the copies.
        uint version = h.Version, headerLength = h.HeaderLength, queuePairs = h.QueuePairs, ringLog2 = h.RingSizeLog2;
        uint descriptorSize = h.DescriptorSize, bufferSize = h.BufferSize, bufferCount = h.BufferCount, stride = h.BufferStride;
        ulong poolOffset = h.PoolOffset, poolLength = h.PoolLength, regionLength = h.RegionLength;
        if (version >> 16 != RegionLayout.Version >> 16)
            throw new RingException(RingErrorReason.Incompatible,
                $"{path}: layout version {version >> 16}.{version & 0xffff}, this side speaks {RegionLayout.Version >> 16}.x");
        if (headerLength != RegionLayout.HeaderLength)
            throw Corrupt(path, $"header length {headerLength}");
        if (descriptorSize != DescriptorLayout.Length)
            throw Corrupt(path, $"descriptor size {descriptorSize}");
        if (ringLog2 < RingLayout.MinSizeLog2 || ringLog2 > RingLayout.MaxSizeLog2)
            throw Corrupt(path, $"ring size 2^{ringLog2}");
        if (queuePairs > RegionLayout.MaxQueuePairs || bufferSize > GuestOptions.MaxBufferSize || stride > 2 * GuestOptions.MaxBufferSize
            || bufferCount > RegionGeometry.MaxPoolLength / RegionLayout.CacheLineLength)
            throw Corrupt(path, $"geometry {queuePairs} queue pairs, {bufferCount} buffers of {bufferSize} B {stride} B apart");
        var geometry = new RegionGeometry((int)queuePairs, 1 << (int)ringLog2, (int)bufferSize, (int)bufferCount, (int)stride);
        if (geometry.Validate() is { } problem)
            throw Corrupt(path, problem);
        if (poolOffset != (ulong)geometry.PoolOffset || poolLength != (ulong)geometry.PoolLength
            || regionLength != (ulong)geometry.RegionLength)
            throw Corrupt(path, $"pool at {poolOffset} length {poolLength}, region length {regionLength}; the geometry gives {geometry.PoolOffset}, {geometry.PoolLength}, {geometry.RegionLength}");
        if ((ulong)region.Length < regionLength)
            throw Corrupt(path, $"file is {region.Length} bytes, header says {regionLength}");
        for (int q = 0; q < geometry.QueuePairs; q++)
        {
            var o = geometry.QueuePair(q);
            CheckQueueTable(path, h, q, QueueTableLayout.ControlOffset, "control block", o.Control);
            CheckQueueTable(path, h, q, QueueTableLayout.CountersOffset, "counters", o.Counters);
            CheckQueueTable(path, h, q, QueueTableLayout.RxFillOffset, "RX fill ring", o.RxFill);
            CheckQueueTable(path, h, q, QueueTableLayout.RxCompletionOffset, "RX completion ring", o.RxCompletion);
            CheckQueueTable(path, h, q, QueueTableLayout.TxOffset, "TX ring", o.Tx);
            CheckQueueTable(path, h, q, QueueTableLayout.TxCompletionOffset, "TX completion ring", o.TxCompletion);
        }
        return geometry;
    }

    /// <summary>Writes the header of a new region with <paramref name="geometry"/>; the magic last, with release.</summary>
    public static void Write(RegionHeader header, RegionGeometry geometry, WaitMode guestMode)
    {
        header.Version = RegionLayout.Version;
        header.HeaderLength = RegionLayout.HeaderLength;
        header.QueuePairs = (uint)geometry.QueuePairs;
        header.RingSizeLog2 = (uint)System.Numerics.BitOperations.Log2((uint)geometry.RingSize);
        header.DescriptorSize = DescriptorLayout.Length;
        header.BufferSize = (uint)geometry.BufferSize;
        header.BufferCount = (uint)geometry.BufferCount;
        header.BufferStride = (uint)geometry.BufferStride;
        header.PoolOffset = (ulong)geometry.PoolOffset;
        header.PoolLength = (ulong)geometry.PoolLength;
        header.RegionLength = (ulong)geometry.RegionLength;
        for (int q = 0; q < geometry.QueuePairs; q++)
        {
            var o = geometry.QueuePair(q);
            header.WriteQueueTable(q, QueueTableLayout.ControlOffset, (ulong)o.Control);
            header.WriteQueueTable(q, QueueTableLayout.CountersOffset, (ulong)o.Counters);
            header.WriteQueueTable(q, QueueTableLayout.RxFillOffset, (ulong)o.RxFill);
            header.WriteQueueTable(q, QueueTableLayout.RxCompletionOffset, (ulong)o.RxCompletion);
            header.WriteQueueTable(q, QueueTableLayout.TxOffset, (ulong)o.Tx);
            header.WriteQueueTable(q, QueueTableLayout.TxCompletionOffset, (ulong)o.TxCompletion);
        }
        header.GuestPid = Environment.ProcessId;
        header.GuestWaitMode = (uint)guestMode;
        header.PublishMagic(); // last: everything above is visible to whoever reads the magic (release)
    }

    /// <summary>Throws, naming the part and both offsets, when queue-table entry <paramref name="queue"/>'s
    /// <paramref name="field"/> is not where the layout puts <paramref name="part"/>.</summary>
    private static void CheckQueueTable(string path, RegionHeader h, int queue, int field, string part, long expected)
    {
        ulong written = h.ReadQueueTable(queue, field); // read once: the value checked is the value reported
        if (written != (ulong)expected)
            throw Corrupt(path, $"queue table entry {queue}: {part} at {written}, the layout puts it at {expected}");
    }

    private static RingException Corrupt(string path, string what) => new(RingErrorReason.Corrupt, $"{path}: corrupt header: {what}");
}
