namespace Ring;

/// <summary>A region's header and every queue pair's counters at one moment (see <see cref="RegionObserver"/>).</summary>
public sealed class RegionSnapshot
{
    internal RegionSnapshot(string path, RegionState state, RegionStatus status, RegionFeatures features, int guestPid,
        int devicePid, WaitMode guestWaitMode, WaitMode deviceWaitMode, int ringSize, int bufferSize, IReadOnlyList<QueueSnapshot> queues)
    {
        Path = path;
        State = state;
        Status = status;
        Features = features;
        GuestPid = guestPid;
        DevicePid = devicePid;
        GuestWaitMode = guestWaitMode;
        DeviceWaitMode = deviceWaitMode;
        RingSize = ringSize;
        BufferSize = bufferSize;
        Queues = queues;
    }

    /// <summary>The region's file.</summary>
    public string Path { get; }

    /// <summary>Where the region is in its life.</summary>
    public RegionState State { get; }

    /// <summary>The raw status bits.</summary>
    public RegionStatus Status { get; }

    /// <summary>The features the guest accepted (none before the handshake).</summary>
    public RegionFeatures Features { get; }

    /// <summary>The guest's process id, as it wrote it.</summary>
    public int GuestPid { get; }

    /// <summary>The device's process id, as it wrote it (0 before one attached).</summary>
    public int DevicePid { get; }

    /// <summary>How the guest waits.</summary>
    public WaitMode GuestWaitMode { get; }

    /// <summary>How the device waits.</summary>
    public WaitMode DeviceWaitMode { get; }

    /// <summary>Entries per ring.</summary>
    public int RingSize { get; }

    /// <summary>Bytes a buffer holds.</summary>
    public int BufferSize { get; }

    /// <summary>Each queue pair's counters.</summary>
    public IReadOnlyList<QueueSnapshot> Queues { get; }
}
