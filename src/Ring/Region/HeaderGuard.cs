using Ring.Layout;

namespace Ring.Region;

/// <summary>
/// A copy of the header fields that are fixed once the handshake is done (the geometry, the offsets, the pool, the
/// queue table, the features, the session's generation), taken then, to tell corruption from anything else: a field
/// that changes afterwards is reported by name, never taken for a dead peer.
/// </summary>
internal sealed unsafe class HeaderGuard
{
    private static readonly (string Name, int Offset, int Length)[] Fields =
    [
        ("magic", RegionLayout.MagicOffset, 8),
        ("version", RegionLayout.VersionOffset, 4),
        ("header length", RegionLayout.HeaderLengthOffset, 4),
        ("device features", RegionLayout.DeviceFeaturesOffset, 8),
        ("guest features", RegionLayout.GuestFeaturesOffset, 8),
        ("queue pairs", RegionLayout.QueuePairsOffset, 4),
        ("ring size", RegionLayout.RingSizeLog2Offset, 4),
        ("descriptor size", RegionLayout.DescriptorSizeOffset, 4),
        ("buffer size", RegionLayout.BufferSizeOffset, 4),
        ("buffer count", RegionLayout.BufferCountOffset, 4),
        ("buffer stride", RegionLayout.BufferStrideOffset, 4),
        ("pool offset", RegionLayout.PoolOffsetOffset, 8),
        ("pool length", RegionLayout.PoolLengthOffset, 8),
        ("region length", RegionLayout.RegionLengthOffset, 8),
        ("session generation", RegionLayout.SessionGenerationOffset, 8),
        ("queue table", RegionLayout.QueueTableOffset, RegionLayout.MaxQueuePairs * RegionLayout.QueueEntryLength),
    ];

    private readonly byte* _base;
    private readonly byte[] _copy = new byte[RegionLayout.HeaderLength];

    /// <summary>Takes the copy now (after the handshake).</summary>
    public HeaderGuard(byte* regionBase)
    {
        _base = regionBase;
        new ReadOnlySpan<byte>(regionBase, RegionLayout.HeaderLength).CopyTo(_copy);
    }

    /// <summary>The first fixed field that differs from the copy, with both values, or null.</summary>
    public string? FirstChange()
    {
        var now = new ReadOnlySpan<byte>(_base, RegionLayout.HeaderLength);
        foreach (var (name, offset, length) in Fields)
        {
            var then = _copy.AsSpan(offset, length);
            var current = now.Slice(offset, length);
            if (current.SequenceEqual(then))
                continue;
            return length == 8 ? $"{name} was 0x{BitConverter.ToUInt64(then):x}, is 0x{BitConverter.ToUInt64(current):x}"
                : length == 4 ? $"{name} was {BitConverter.ToUInt32(then)}, is {BitConverter.ToUInt32(current)}"
                : $"{name} differs";
        }
        return null;
    }
}
