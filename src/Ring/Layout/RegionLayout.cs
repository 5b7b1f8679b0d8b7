namespace Ring.Layout;

/// <summary>
/// The region header at offset 0: the device's "PCI config space and BARs". Every field is little-endian and
/// naturally aligned. The geometry is written once by the guest before the region is published and is read-only
/// afterwards. The header is touched only during the handshake, by the periodic peer checks and by observers,
/// never per packet, so its fields share blocks by phase (geometry and features; status and violation; the
/// pids, the device's ready word and the wait modes). See docs/LAYOUT.md.
/// </summary>
/// <remarks>
/// <code>
///  0      8     12    16            24            32    36    40    44    48    52    56          64          72        80
///  +------+-----+-----+-------------+-------------+-----+-----+-----+-----+-----+-----+-----------+-----------+---------+
///  |magic | ver | hdr | device feat | guest feat  | qps |log2 |desc |bufsz|bufct|strid| pool off  | pool len  | reg len |
///  +------+-----+-----+-------------+-------------+-----+-----+-----+-----+-----+-----+-----------+-----------+---------+
///  128: status | violation    256: guest pid | device pid | device ready | guest mode | device mode    512: queue table
/// </code>
/// </remarks>
internal static class RegionLayout
{
    /// <summary>Bytes in a cache line on the machines Ring targets.</summary>
    public const int CacheLineLength = 64;

    /// <summary>Every independently written field gets two cache lines, so the adjacent-line prefetcher does not
    /// couple them (as Agrona and rte_ring do).</summary>
    public const int BlockLength = 2 * CacheLineLength;

    /// <summary>"RINGSHM1" as a little-endian u64: identifies a Ring region, whatever its version.</summary>
    public const ulong Magic = 0x314D4853474E4952; // bytes in memory: R I N G S H M 1

    /// <summary>Layout version 2.0, packed (major &lt;&lt; 16) | minor. A different major is refused. Version 2 replaced
    /// the rings' shared indices with generation bits in the entries.</summary>
    public const uint Version = (2u << 16) | 0u;

    /// <summary>u64 magic, written last by the guest when the header is complete.</summary>
    public const int MagicOffset = 0;
    /// <summary>u32 layout version.</summary>
    public const int VersionOffset = MagicOffset + sizeof(ulong);
    /// <summary>u32 length of this header in bytes (<see cref="HeaderLength"/>).</summary>
    public const int HeaderLengthOffset = VersionOffset + sizeof(uint);
    /// <summary>u64 feature bits the device offers (<see cref="Features"/>), written by the device on attach.</summary>
    public const int DeviceFeaturesOffset = HeaderLengthOffset + sizeof(uint);
    /// <summary>u64 feature bits the guest accepted: a subset of the device's offer.</summary>
    public const int GuestFeaturesOffset = DeviceFeaturesOffset + sizeof(ulong);
    /// <summary>u32 number of queue pairs, 1..<see cref="MaxQueuePairs"/>.</summary>
    public const int QueuePairsOffset = GuestFeaturesOffset + sizeof(ulong);
    /// <summary>u32 log2 of the number of entries in every ring (a non-power-of-two size cannot be expressed).</summary>
    public const int RingSizeLog2Offset = QueuePairsOffset + sizeof(uint);
    /// <summary>u32 size of one descriptor, <see cref="DescriptorLayout.Length"/>.</summary>
    public const int DescriptorSizeOffset = RingSizeLog2Offset + sizeof(uint);
    /// <summary>u32 bytes a pool buffer holds (its capacity).</summary>
    public const int BufferSizeOffset = DescriptorSizeOffset + sizeof(uint);
    /// <summary>u32 number of buffers in the pool.</summary>
    public const int BufferCountOffset = BufferSizeOffset + sizeof(uint);
    /// <summary>u32 bytes from one buffer's start to the next: a multiple of 64, at least the buffer size.</summary>
    public const int BufferStrideOffset = BufferCountOffset + sizeof(uint);
    /// <summary>u64 offset of the buffer pool from the start of the region; page aligned.</summary>
    public const int PoolOffsetOffset = BufferStrideOffset + sizeof(uint);
    /// <summary>u64 length of the pool: buffer count x buffer stride.</summary>
    public const int PoolLengthOffset = PoolOffsetOffset + sizeof(ulong);
    /// <summary>u64 length of the whole region.</summary>
    public const int RegionLengthOffset = PoolLengthOffset + sizeof(ulong);

    /// <summary>u32 device status bits (<see cref="DeviceStatus"/>), virtio's handshake. Both sides set bits,
    /// with an atomic OR. Own block.</summary>
    public const int StatusOffset = BlockLength;
    /// <summary>u32 <see cref="ViolationCode"/> of the first protocol violation, set together with NEEDS_RESET.</summary>
    public const int ViolationOffset = StatusOffset + sizeof(uint);

    /// <summary>i32 process id of the guest, written once at creation. Own block. Informational: liveness is
    /// never judged from a value the peer wrote.</summary>
    public const int GuestPidOffset = 2 * BlockLength;
    /// <summary>i32 process id of the device, claimed with a compare-and-swap from 0: one device per region.</summary>
    public const int DevicePidOffset = GuestPidOffset + sizeof(int);
    /// <summary>u32 set to 1 (release) by the device that won <see cref="DevicePidOffset"/> once it has written its
    /// feature offer and wait modes; the guest waits for it, so it never reads a losing device's offer.</summary>
    public const int DeviceReadyOffset = DevicePidOffset + sizeof(int);
    /// <summary>u32 the guest's wait mode (0 poll, 1 event, 2 hybrid), for observers.</summary>
    public const int GuestWaitModeOffset = DeviceReadyOffset + sizeof(uint);
    /// <summary>u32 the device's wait mode, for observers.</summary>
    public const int DeviceWaitModeOffset = GuestWaitModeOffset + sizeof(uint);
    /// <summary>u64 the device session this handshake belongs to, written by the guest when a device attaches: the
    /// generation the control channel gave that device. A device whose generation is no longer here was replaced.</summary>
    public const int SessionGenerationOffset = DeviceWaitModeOffset + 2 * sizeof(uint); // after 4 bytes of padding: aligned

    /// <summary>The queue table: one <see cref="QueueEntryLength"/>-byte entry per queue pair.</summary>
    public const int QueueTableOffset = 4 * BlockLength;
    /// <summary>Bytes per queue-table entry.</summary>
    public const int QueueEntryLength = CacheLineLength;
    /// <summary>Most queue pairs a region can describe.</summary>
    public const int MaxQueuePairs = 16;

    /// <summary>Length of the header; the first queue pair starts here. One page.</summary>
    public const int HeaderLength = 4096;

    /// <summary>The pool starts on a page boundary.</summary>
    public const int PoolAlignment = 4096;
}
