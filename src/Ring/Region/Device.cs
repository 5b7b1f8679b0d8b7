using Ring.Layout;
using Ring.Native;
using Ring.Queues;

namespace Ring.Region;

/// <summary>
/// The device (hypervisor) side of a region: attaches to a region the driver created, validates every header
/// field against the layout it recomputes from the geometry, claims the region (one device at a time), runs the
/// device's half of the handshake and hands out one <see cref="DeviceQueue"/> per queue pair. Disposing unmaps
/// the region; the file stays the driver's.
/// </summary>
public sealed unsafe class Device : IDisposable
{
    private readonly SharedRegion _region;
    private readonly DeviceQueue[] _queues;

    private Device(SharedRegion region, RegionGeometry geometry)
    {
        _region = region;
        Geometry = geometry;
        var pool = new BufferPool(region.Base + geometry.PoolOffset, geometry.BufferSize, geometry.BufferCount);
        _queues = new DeviceQueue[geometry.QueuePairs];
        for (int q = 0; q < _queues.Length; q++)
            _queues[q] = new DeviceQueue(q, region.Base, geometry, pool);
    }

    /// <summary>The region's geometry, as validated.</summary>
    public RegionGeometry Geometry { get; }

    /// <summary>Typed access to the header.</summary>
    public RegionHeader Header => new(_region.Base);

    /// <summary>The features the driver accepted.</summary>
    public Features Features { get; private set; }

    /// <summary>Queue pair <paramref name="index"/>.</summary>
    public DeviceQueue Queue(int index) => _queues[index];

    /// <summary>
    /// Attaches to the region at <paramref name="path"/>, offering <paramref name="offer"/>, and waits (up to
    /// <paramref name="handshakeTimeout"/>) for the driver to finish the handshake. Throws a
    /// <see cref="RingException"/> naming the problem for a missing, foreign, corrupt or already-driven region.
    /// <paramref name="acceptGeometry"/> may refuse a valid region that does not suit the caller (by throwing)
    /// before the device claims it, so the driver is not left waiting on a device that will not run.
    /// <paramref name="maySleep"/> tells the driver whether this device ever sleeps on its doorbell.
    /// </summary>
    public static Device Attach(string path, Features offer, TimeSpan handshakeTimeout, Action<RegionGeometry>? acceptGeometry = null,
        bool maySleep = false)
    {
        var region = SharedRegion.OpenFile(path);
        try
        {
            var geometry = Validate(region);
            acceptGeometry?.Invoke(geometry);
            var device = new Device(region, geometry);
            device.Handshake(offer, handshakeTimeout, maySleep);
            return device;
        }
        catch
        {
            region.Dispose();
            throw;
        }
    }

    /// <summary>Throws a <see cref="RingException"/> when the region is broken or the driver died.</summary>
    public void CheckPeer()
    {
        Region.Handshake.ThrowIfBroken(Header);
        int pid = Header.DriverPid;
        if (!Posix.ProcessExists(pid))
            throw new RingException($"consumer (pid {pid}) died");
    }

    /// <inheritdoc />
    public void Dispose() => _region.Dispose();

    private void Handshake(Features offer, TimeSpan timeout, bool maySleep)
    {
        var header = Header;
        Region.Handshake.ThrowIfBroken(header);
        int driverPid = header.DriverPid;
        if (!Posix.ProcessExists(driverPid))
            throw new RingException($"region {_region.Path} is stale: its consumer (pid {driverPid}) is gone");
        if ((header.Status & DeviceStatus.DriverOk) != 0)
            throw new RingException($"region {_region.Path} is already running with another producer");
        int me = Environment.ProcessId;
        int previous = header.ExchangeDevicePid(0, me);
        if (previous != 0)
        {
            if (previous == me || Posix.ProcessExists(previous))
                throw new RingException($"region {_region.Path} is already driven by producer pid {previous}");
            // A dead device may be replaced only before the driver has read its offer (ACKNOWLEDGE comes right
            // after): the driver reads the offer and the device's mode once.
            if ((header.Status & DeviceStatus.Acknowledge) != 0)
                throw new RingException($"region {_region.Path}: its producer (pid {previous}) died during the handshake; restart the consumer");
            if (header.ExchangeDevicePid(previous, me) != previous)
                throw new RingException($"region {_region.Path}: another producer claimed it at the same time");
        }
        // Only the device that won the claim writes its offer, then says so: the driver waits for DeviceReady.
        header.DeviceFeatures = offer;
        foreach (var queue in _queues)
            queue.Sleeper.DeclareMode(maySleep);
        header.PublishDeviceReady();
        Region.Handshake.WaitFor(header, () => (header.Status & DeviceStatus.FeaturesOk) != 0, timeout,
            "the consumer to accept features", () => driverPid);
        var accepted = header.DriverFeatures;
        if ((accepted & ~offer) != 0)
        {
            header.SetStatus(DeviceStatus.Failed);
            throw new RingException($"consumer accepted features 0x{(ulong)accepted:x} beyond the offer 0x{(ulong)offer:x}");
        }
        Features = accepted;
        Region.Handshake.WaitFor(header, () => (header.Status & DeviceStatus.DriverOk) != 0, timeout,
            "the consumer to set DRIVER_OK", () => driverPid);
        foreach (var queue in _queues)
            queue.GuestDoorbell.Arm(); // the driver declared its mode before DRIVER_OK, seen above (acquire)
    }

    private static RegionGeometry Validate(SharedRegion region)
    {
        string path = region.Path;
        if (region.Length < RegionLayout.HeaderLength)
            throw new RingException($"{path} is not a Ring region: {region.Length} bytes, shorter than a header");
        var h = new RegionHeader(region.Base);
        ulong magic = h.MagicAcquire; // acquire: pairs with the driver's PublishMagic, so the fields below are complete
        if (magic != RegionLayout.Magic)
            throw new RingException($"{path} is not a Ring region: magic 0x{magic:x16}, expected 0x{RegionLayout.Magic:x16}");
        // Copy every field once; validate the copies; use only the copies.
        uint version = h.Version, headerLength = h.HeaderLength, queuePairs = h.QueuePairs, ringLog2 = h.RingSizeLog2;
        uint descriptorSize = h.DescriptorSize, bufferSize = h.BufferSize, bufferCount = h.BufferCount;
        ulong poolOffset = h.PoolOffset, poolLength = h.PoolLength, regionLength = h.RegionLength;
        if (version >> 16 != RegionLayout.Version >> 16)
            throw new RingException($"{path}: layout version {version >> 16}.{version & 0xffff}, this producer speaks {RegionLayout.Version >> 16}.x");
        if (headerLength != RegionLayout.HeaderLength)
            throw Corrupt(path, $"header length {headerLength}");
        if (descriptorSize != DescriptorLayout.Length)
            throw Corrupt(path, $"descriptor size {descriptorSize}");
        if (ringLog2 < RingLayout.MinSizeLog2 || ringLog2 > RingLayout.MaxSizeLog2)
            throw Corrupt(path, $"ring size 2^{ringLog2}");
        if (bufferCount > RegionGeometry.MaxBufferCount || bufferSize > RegionGeometry.MaxBufferSize || queuePairs > RegionLayout.MaxQueuePairs)
            throw Corrupt(path, $"geometry {queuePairs} queue pairs, {bufferCount} x {bufferSize} B buffers");
        var geometry = new RegionGeometry((int)queuePairs, 1 << (int)ringLog2, (int)bufferSize, (int)bufferCount);
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
            if (h.ReadQueueTable(q, QueueTableLayout.ControlOffset) != (ulong)o.Control
                || h.ReadQueueTable(q, QueueTableLayout.RxFillOffset) != (ulong)o.RxFill
                || h.ReadQueueTable(q, QueueTableLayout.RxCompletionOffset) != (ulong)o.RxCompletion
                || h.ReadQueueTable(q, QueueTableLayout.TxOffset) != (ulong)o.Tx
                || h.ReadQueueTable(q, QueueTableLayout.TxCompletionOffset) != (ulong)o.TxCompletion)
                throw Corrupt(path, $"queue table entry {q} does not match the layout");
        }
        return geometry;
    }

    private static RingException Corrupt(string path, string what) => new($"{path}: corrupt header: {what}");
}
