using Ring.Layout;

namespace Ring.Region;

/// <summary>
/// Typed access to the header (<see cref="RegionLayout"/>) and the queue table. Accessor names say the ordering:
/// <c>Read</c>/<c>Write</c> are plain (fields written before the region is published, or owner-only),
/// <c>ReadAcquire</c>/<c>WriteRelease</c> are Volatile, status updates are atomic read-modify-writes.
/// Everything read here was written by the peer and is untrusted: callers validate before use.
/// </summary>
public readonly unsafe struct RegionHeader
{
    private readonly byte* _base;

    internal RegionHeader(byte* regionBase) => _base = regionBase;

    private ref uint U32(int offset) => ref *(uint*)(_base + offset);
    private ref ulong U64(int offset) => ref *(ulong*)(_base + offset);
    private ref int I32(int offset) => ref *(int*)(_base + offset);

    /// <summary>The magic, with acquire: when it reads <see cref="RegionLayout.Magic"/>, the rest of the header
    /// the driver wrote before publishing it is visible. Pairs with <see cref="PublishMagic"/>.</summary>
    public ulong MagicAcquire => Volatile.Read(ref U64(RegionLayout.MagicOffset));

    /// <summary>Publishes the header (release): every field written before is visible to whoever sees the magic.</summary>
    public void PublishMagic() => Volatile.Write(ref U64(RegionLayout.MagicOffset), RegionLayout.Magic);

    /// <summary>Layout version.</summary>
    public uint Version { get => U32(RegionLayout.VersionOffset); set => U32(RegionLayout.VersionOffset) = value; }
    /// <summary>Header length.</summary>
    public uint HeaderLength { get => U32(RegionLayout.HeaderLengthOffset); set => U32(RegionLayout.HeaderLengthOffset) = value; }
    /// <summary>Queue pairs.</summary>
    public uint QueuePairs { get => U32(RegionLayout.QueuePairsOffset); set => U32(RegionLayout.QueuePairsOffset) = value; }
    /// <summary>Log2 of the ring size.</summary>
    public uint RingSizeLog2 { get => U32(RegionLayout.RingSizeLog2Offset); set => U32(RegionLayout.RingSizeLog2Offset) = value; }
    /// <summary>Descriptor size.</summary>
    public uint DescriptorSize { get => U32(RegionLayout.DescriptorSizeOffset); set => U32(RegionLayout.DescriptorSizeOffset) = value; }
    /// <summary>Buffer size.</summary>
    public uint BufferSize { get => U32(RegionLayout.BufferSizeOffset); set => U32(RegionLayout.BufferSizeOffset) = value; }
    /// <summary>Buffer count.</summary>
    public uint BufferCount { get => U32(RegionLayout.BufferCountOffset); set => U32(RegionLayout.BufferCountOffset) = value; }
    /// <summary>Pool offset.</summary>
    public ulong PoolOffset { get => U64(RegionLayout.PoolOffsetOffset); set => U64(RegionLayout.PoolOffsetOffset) = value; }
    /// <summary>Pool length.</summary>
    public ulong PoolLength { get => U64(RegionLayout.PoolLengthOffset); set => U64(RegionLayout.PoolLengthOffset) = value; }
    /// <summary>Region length.</summary>
    public ulong RegionLength { get => U64(RegionLayout.RegionLengthOffset); set => U64(RegionLayout.RegionLengthOffset) = value; }

    /// <summary>Device features (offered), with acquire/release: written by the device after it claims the region and
    /// before it publishes <see cref="DeviceReady"/>.</summary>
    public Features DeviceFeatures
    {
        get => (Features)Volatile.Read(ref U64(RegionLayout.DeviceFeaturesOffset));
        set => Volatile.Write(ref U64(RegionLayout.DeviceFeaturesOffset), (ulong)value);
    }

    /// <summary>Driver features (accepted). Written before FEATURES_OK is set; read after it is seen.</summary>
    public Features DriverFeatures
    {
        get => (Features)Volatile.Read(ref U64(RegionLayout.DriverFeaturesOffset));
        set => Volatile.Write(ref U64(RegionLayout.DriverFeaturesOffset), (ulong)value);
    }

    /// <summary>Status bits, with acquire: fields the setter wrote before its atomic OR are visible.</summary>
    public DeviceStatus Status => (DeviceStatus)Volatile.Read(ref U32(RegionLayout.StatusOffset));

    /// <summary>Sets status bits with an atomic OR (a full fence): both sides set bits, neither may lose the other's.</summary>
    public void SetStatus(DeviceStatus bits) => Interlocked.Or(ref U32(RegionLayout.StatusOffset), (uint)bits);

    /// <summary>The first violation recorded, or None.</summary>
    public ViolationCode Violation => (ViolationCode)Volatile.Read(ref U32(RegionLayout.ViolationOffset));

    /// <summary>Records <paramref name="code"/> if none is recorded yet (compare-and-swap), then sets NEEDS_RESET, so
    /// a peer that sees the status bit also sees the code (the OR is a full fence after the CAS).</summary>
    public void ReportViolation(ViolationCode code)
    {
        Interlocked.CompareExchange(ref U32(RegionLayout.ViolationOffset), (uint)code, (uint)ViolationCode.None);
        SetStatus(DeviceStatus.DeviceNeedsReset);
    }

    /// <summary>Driver pid.</summary>
    public int DriverPid { get => Volatile.Read(ref I32(RegionLayout.DriverPidOffset)); set => I32(RegionLayout.DriverPidOffset) = value; }

    /// <summary>Device pid, with acquire.</summary>
    public int DevicePid => Volatile.Read(ref I32(RegionLayout.DevicePidOffset));

    /// <summary>Claims the device slot: swaps <paramref name="expected"/> for <paramref name="pid"/> and returns what
    /// was there (a compare-and-swap, a full fence).</summary>
    public int ExchangeDevicePid(int expected, int pid) =>
        Interlocked.CompareExchange(ref I32(RegionLayout.DevicePidOffset), pid, expected);

    /// <summary>Whether the device that owns <see cref="DevicePid"/> has published its feature offer (acquire).</summary>
    public bool DeviceReady => Volatile.Read(ref U32(RegionLayout.DeviceReadyOffset)) != 0;

    /// <summary>Marks the feature offer published (release: the offer written before is visible with it).</summary>
    public void PublishDeviceReady() => Volatile.Write(ref U32(RegionLayout.DeviceReadyOffset), 1u);

    /// <summary>Reads one u64 field of queue-table entry <paramref name="queue"/>.</summary>
    public ulong ReadQueueTable(int queue, int field) =>
        U64(RegionLayout.QueueTableOffset + queue * RegionLayout.QueueEntryLength + field);

    /// <summary>Writes one u64 field of queue-table entry <paramref name="queue"/>.</summary>
    public void WriteQueueTable(int queue, int field, ulong value) =>
        U64(RegionLayout.QueueTableOffset + queue * RegionLayout.QueueEntryLength + field) = value;
}
