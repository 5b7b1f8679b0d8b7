using Ring.Layout;

namespace Ring.Region;

/// <summary>
/// Typed access to the header (<see cref="RegionLayout"/>) and the queue table. Accessor names say the ordering:
/// plain properties are for fields written before the region is published (or owner-only),
/// <c>...Acquire</c>/<c>Publish...</c> are Volatile, status updates are atomic read-modify-writes. Everything read
/// here was written by the peer and is untrusted: callers copy each field once and validate the copy.
/// </summary>
internal readonly unsafe struct RegionHeader(byte* regionBase)
{
    private readonly byte* _base = regionBase;

    /// <summary>The header of <paramref name="region"/>.</summary>
    public static RegionHeader Of(Memory.MappedRegion region) => new(region.Base);

    private ref uint U32(int offset) => ref *(uint*)(_base + offset);
    private ref ulong U64(int offset) => ref *(ulong*)(_base + offset);
    private ref int I32(int offset) => ref *(int*)(_base + offset);

    /// <summary>The magic, with acquire: when it reads <see cref="RegionLayout.Magic"/>, the rest of the header the
    /// guest wrote before publishing it is visible. Pairs with <see cref="PublishMagic"/>.</summary>
    public ulong MagicAcquire => Volatile.Read(ref U64(RegionLayout.MagicOffset));

    /// <summary>Publishes the header (release): every field written before is visible to whoever sees the magic.</summary>
    public void PublishMagic() => Volatile.Write(ref U64(RegionLayout.MagicOffset), RegionLayout.Magic);

    public uint Version { get => U32(RegionLayout.VersionOffset); set => U32(RegionLayout.VersionOffset) = value; }
    public uint HeaderLength { get => U32(RegionLayout.HeaderLengthOffset); set => U32(RegionLayout.HeaderLengthOffset) = value; }
    public uint QueuePairs { get => U32(RegionLayout.QueuePairsOffset); set => U32(RegionLayout.QueuePairsOffset) = value; }
    public uint RingSizeLog2 { get => U32(RegionLayout.RingSizeLog2Offset); set => U32(RegionLayout.RingSizeLog2Offset) = value; }
    public uint DescriptorSize { get => U32(RegionLayout.DescriptorSizeOffset); set => U32(RegionLayout.DescriptorSizeOffset) = value; }
    public uint BufferSize { get => U32(RegionLayout.BufferSizeOffset); set => U32(RegionLayout.BufferSizeOffset) = value; }
    public uint BufferCount { get => U32(RegionLayout.BufferCountOffset); set => U32(RegionLayout.BufferCountOffset) = value; }
    public uint BufferStride { get => U32(RegionLayout.BufferStrideOffset); set => U32(RegionLayout.BufferStrideOffset) = value; }
    public ulong PoolOffset { get => U64(RegionLayout.PoolOffsetOffset); set => U64(RegionLayout.PoolOffsetOffset) = value; }
    public ulong PoolLength { get => U64(RegionLayout.PoolLengthOffset); set => U64(RegionLayout.PoolLengthOffset) = value; }
    public ulong RegionLength { get => U64(RegionLayout.RegionLengthOffset); set => U64(RegionLayout.RegionLengthOffset) = value; }

    /// <summary>Device features (offered), with acquire/release: written by the device after it claims the region
    /// and before it publishes <see cref="DeviceReady"/>.</summary>
    public Features DeviceFeatures
    {
        get => (Features)Volatile.Read(ref U64(RegionLayout.DeviceFeaturesOffset));
        set => Volatile.Write(ref U64(RegionLayout.DeviceFeaturesOffset), (ulong)value);
    }

    /// <summary>Guest features (accepted). Written before FEATURES_OK is set; read after it is seen.</summary>
    public Features GuestFeatures
    {
        get => (Features)Volatile.Read(ref U64(RegionLayout.GuestFeaturesOffset));
        set => Volatile.Write(ref U64(RegionLayout.GuestFeaturesOffset), (ulong)value);
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

    public int GuestPid { get => Volatile.Read(ref I32(RegionLayout.GuestPidOffset)); set => I32(RegionLayout.GuestPidOffset) = value; }

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

    public uint GuestWaitMode { get => Volatile.Read(ref U32(RegionLayout.GuestWaitModeOffset)); set => Volatile.Write(ref U32(RegionLayout.GuestWaitModeOffset), value); }
    public uint DeviceWaitMode { get => Volatile.Read(ref U32(RegionLayout.DeviceWaitModeOffset)); set => Volatile.Write(ref U32(RegionLayout.DeviceWaitModeOffset), value); }

    /// <summary>The session generation, with acquire/release: written by the guest before ACKNOWLEDGE.</summary>
    public ulong SessionGeneration
    {
        get => Volatile.Read(ref U64(RegionLayout.SessionGenerationOffset));
        set => Volatile.Write(ref U64(RegionLayout.SessionGenerationOffset), value);
    }

    /// <summary>Clears the fields of the handshake for a new session (the device's reset): status, violation,
    /// features, the device's pid, ready word and wait mode, and the generation. Plain and release stores: the guest
    /// does this while no device is attached, and publishes the new session with the next handshake.</summary>
    public void ClearForNewSession()
    {
        Volatile.Write(ref U32(RegionLayout.StatusOffset), 0u);
        Volatile.Write(ref U32(RegionLayout.ViolationOffset), 0u);
        DeviceFeatures = Features.None;
        GuestFeatures = Features.None;
        Volatile.Write(ref I32(RegionLayout.DevicePidOffset), 0);
        Volatile.Write(ref U32(RegionLayout.DeviceReadyOffset), 0u);
        DeviceWaitMode = 0;
        SessionGeneration = 0;
    }

    /// <summary>Reads one u64 field of queue-table entry <paramref name="queue"/>.</summary>
    public ulong ReadQueueTable(int queue, int field) =>
        U64(RegionLayout.QueueTableOffset + queue * RegionLayout.QueueEntryLength + field);

    /// <summary>Writes one u64 field of queue-table entry <paramref name="queue"/>.</summary>
    public void WriteQueueTable(int queue, int field, ulong value) =>
        U64(RegionLayout.QueueTableOffset + queue * RegionLayout.QueueEntryLength + field) = value;
}
