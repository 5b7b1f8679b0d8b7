namespace Ring;

/// <summary>A region's header and every queue pair's counters at one moment (see <see cref="RegionObserver"/>).</summary>
/// <param name="Path">The region's file.</param>
/// <param name="State">Where the region is in its life.</param>
/// <param name="Status">The raw status bits, named (virtio's, plus GuestLeft and DeviceLeft).</param>
/// <param name="Features">The features the guest accepted, named (empty before the handshake).</param>
/// <param name="GuestPid">The guest's process id, as it wrote it.</param>
/// <param name="DevicePid">The device's process id, as it wrote it (0 before one attached).</param>
/// <param name="GuestWaitMode">How the guest waits.</param>
/// <param name="DeviceWaitMode">How the device waits.</param>
/// <param name="RingSize">Entries per ring.</param>
/// <param name="BufferSize">Bytes a buffer holds.</param>
/// <param name="Queues">Each queue pair's counters.</param>
public sealed record RegionSnapshot(string Path, RegionState State, string Status, string Features, int GuestPid,
    int DevicePid, WaitMode GuestWaitMode, WaitMode DeviceWaitMode, int RingSize, int BufferSize,
    IReadOnlyList<QueueSnapshot> Queues);
