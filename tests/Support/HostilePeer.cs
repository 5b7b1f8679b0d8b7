using System.IO.MemoryMappedFiles;
using Ring.Layout;
using Ring.Region;
using Ring.Rings;

namespace Ring.Tests.Support;

/// <summary>
/// A second, independent mapping of a region file: it reads and writes the raw bytes of queue pair 0's rings and
/// the header at the offsets the layout classes give, the way a buggy or hostile peer process would. Used both to
/// observe what the code under test published and to forge what a peer might write.
/// </summary>
/// <remarks>
/// Writes are plain stores through the view accessor. The tests drive both sides from one thread, so program
/// order is all the ordering they need. Entry indices are free-running, like the shared ones; the peer masks them.
/// </remarks>
internal sealed class HostilePeer : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly nint _base;
    private readonly uint _mask;

    public HostilePeer(string path, RegionGeometry geometry)
    {
        Geometry = geometry;
        Rings = geometry.QueuePair(0);
        _mask = (uint)geometry.RingSize - 1;
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, mapName: null, capacity: 0, MemoryMappedFileAccess.ReadWrite);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.ReadWrite);
        bool added = false;
        _view.SafeMemoryMappedViewHandle.DangerousAddRef(ref added); // keeps Address valid until Dispose
        _base = _view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (nint)_view.PointerOffset;
    }

    /// <summary>The region's geometry.</summary>
    public RegionGeometry Geometry { get; }

    /// <summary>Where queue pair 0's control block and rings are.</summary>
    public QueuePairOffsets Rings { get; }

    /// <summary>Pool offset of RX buffer <paramref name="i"/> of queue 0 (the RX buffers come first).</summary>
    public ulong RxBuffer(int i) => (ulong)i * (ulong)Geometry.BufferSize;

    /// <summary>Pool offset of TX buffer <paramref name="i"/> of queue 0 (after the RX buffers).</summary>
    public ulong TxBuffer(int i) => (ulong)(Geometry.RingSize + i) * (ulong)Geometry.BufferSize;

    /// <summary>The address of byte <paramref name="offset"/> of the region in this mapping.</summary>
    public nint Address(long offset) => _base + (nint)offset;

    /// <summary>The shared producer index of the ring at <paramref name="ring"/>.</summary>
    public uint ProducerIndex(long ring) => _view.ReadUInt32(ring + RingLayout.ProducerIndexOffset);

    /// <summary>Overwrites the shared producer index of the ring at <paramref name="ring"/>.</summary>
    public void SetProducerIndex(long ring, uint value) => _view.Write(ring + RingLayout.ProducerIndexOffset, value);

    /// <summary>The shared consumer index of the ring at <paramref name="ring"/>.</summary>
    public uint ConsumerIndex(long ring) => _view.ReadUInt32(ring + RingLayout.ConsumerIndexOffset);

    /// <summary>Overwrites the shared consumer index of the ring at <paramref name="ring"/>.</summary>
    public void SetConsumerIndex(long ring, uint value) => _view.Write(ring + RingLayout.ConsumerIndexOffset, value);

    /// <summary>Entries published and not yet released: producer - consumer, unsigned.</summary>
    public int Count(long ring) => (int)(ProducerIndex(ring) - ConsumerIndex(ring));

    /// <summary>The buffer offset at free-running <paramref name="index"/> of a fill or TX completion ring.</summary>
    public ulong ReadOffsetEntry(long ring, uint index) => _view.ReadUInt64(Slot(ring, index, DescriptorLayout.OffsetEntryLength));

    /// <summary>Overwrites the buffer offset at <paramref name="index"/> of a fill or TX completion ring.</summary>
    public void WriteOffsetEntry(long ring, uint index, ulong offset) =>
        _view.Write(Slot(ring, index, DescriptorLayout.OffsetEntryLength), offset);

    /// <summary>The descriptor at free-running <paramref name="index"/> of an RX completion or TX ring.</summary>
    public Descriptor ReadDescriptor(long ring, uint index)
    {
        long at = Slot(ring, index, DescriptorLayout.Length);
        return new Descriptor(
            _view.ReadUInt64(at + DescriptorLayout.BufferOffsetOffset),
            _view.ReadUInt32(at + DescriptorLayout.LengthOffset),
            (DescriptorFlags)_view.ReadUInt16(at + DescriptorLayout.FlagsOffset));
    }

    /// <summary>Overwrites the descriptor at <paramref name="index"/> of an RX completion or TX ring, field by field.</summary>
    public void WriteDescriptor(long ring, uint index, ulong offset, uint length, DescriptorFlags flags)
    {
        long at = Slot(ring, index, DescriptorLayout.Length);
        _view.Write(at + DescriptorLayout.BufferOffsetOffset, offset);
        _view.Write(at + DescriptorLayout.LengthOffset, length);
        _view.Write(at + DescriptorLayout.FlagsOffset, (ushort)flags);
        _view.Write(at + DescriptorLayout.ReservedOffset, (ushort)0);
    }

    /// <summary>As the device: takes <paramref name="count"/> buffers off the fill ring and releases their slots.</summary>
    public ulong[] TakeFill(int count)
    {
        var taken = PeekFill(count);
        ReleaseFill(count);
        return taken;
    }

    /// <summary>As the device: reads the next <paramref name="count"/> fill entries without releasing their slots.</summary>
    public ulong[] PeekFill(int count)
    {
        uint consumer = ConsumerIndex(Rings.RxFill);
        var taken = new ulong[count];
        for (int i = 0; i < count; i++)
            taken[i] = ReadOffsetEntry(Rings.RxFill, consumer + (uint)i);
        return taken;
    }

    /// <summary>As the device: releases <paramref name="count"/> fill slots (advances the fill consumer index).</summary>
    public void ReleaseFill(int count) =>
        SetConsumerIndex(Rings.RxFill, ConsumerIndex(Rings.RxFill) + (uint)count);

    /// <summary>As the device: writes an RX completion at free-running <paramref name="index"/> without publishing it.</summary>
    public void WriteRxCompletion(uint index, ulong offset, uint length, DescriptorFlags flags) =>
        WriteDescriptor(Rings.RxCompletion, index, offset, length, flags);

    /// <summary>As the device: writes <paramref name="completions"/> after the RX completion producer index and publishes them.</summary>
    public void PostRxCompletions(params ReadOnlySpan<Descriptor> completions)
    {
        uint producer = ProducerIndex(Rings.RxCompletion);
        for (int i = 0; i < completions.Length; i++)
        {
            var d = completions[i];
            WriteRxCompletion(producer + (uint)i, d.BufferOffset, d.Length, d.Flags);
        }
        SetProducerIndex(Rings.RxCompletion, producer + (uint)completions.Length);
    }

    /// <summary>The header's status word, read from this mapping.</summary>
    public DeviceStatus Status => (DeviceStatus)_view.ReadUInt32(RegionLayout.StatusOffset);

    /// <summary>The header's violation word, read from this mapping.</summary>
    public ViolationCode Violation => (ViolationCode)_view.ReadUInt32(RegionLayout.ViolationOffset);

    /// <inheritdoc />
    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.DangerousRelease();
        _view.Dispose();
        _file.Dispose();
    }

    private long Slot(long ring, uint index, int entryLength) =>
        ring + RingLayout.EntriesOffset + (long)(index & _mask) * entryLength;
}
