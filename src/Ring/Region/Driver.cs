using Ring.Layout;
using Ring.Native;
using Ring.Queues;

namespace Ring.Region;

/// <summary>
/// The guest side of a region: creates and owns the region file and the buffer pool in it, runs the driver's
/// half of the handshake, and hands out one <see cref="GuestQueue"/> per queue pair. Disposing unmaps the region
/// and deletes the file.
/// </summary>
public sealed unsafe class Driver : IDisposable
{
    private readonly SharedRegion _region;
    private readonly GuestQueue[] _queues;
    private bool _disposed;

    private Driver(SharedRegion region, RegionGeometry geometry)
    {
        _region = region;
        Geometry = geometry;
        var pool = new BufferPool(region.Base + geometry.PoolOffset, geometry.BufferSize, geometry.BufferCount);
        _queues = new GuestQueue[geometry.QueuePairs];
        for (int q = 0; q < _queues.Length; q++)
            _queues[q] = new GuestQueue(q, region.Base, geometry, pool);
    }

    /// <summary>The region's geometry.</summary>
    public RegionGeometry Geometry { get; }

    /// <summary>The region file.</summary>
    public string Path => _region.Path;

    /// <summary>Typed access to the header.</summary>
    public RegionHeader Header => new(_region.Base);

    /// <summary>The features both sides agreed on (valid after <see cref="Start"/>).</summary>
    public Features Features { get; private set; }

    /// <summary>Queue pair <paramref name="index"/>.</summary>
    public GuestQueue Queue(int index) => _queues[index];

    /// <summary>
    /// Creates the region at <paramref name="path"/> with <paramref name="geometry"/>. The header is written into a
    /// private temporary file that is renamed into place, so a device never sees a half-written region. Refuses a
    /// path a live driver still owns; replaces a stale one.
    /// </summary>
    public static Driver Create(string path, RegionGeometry geometry)
    {
        if (geometry.Validate() is { } problem)
            throw new ArgumentException(problem);
        ThrowIfOwnedByLiveDriver(path);
        string temporary = $"{path}.tmp-{Environment.ProcessId}";
        SharedRegion region;
        try
        {
            File.Delete(temporary);
            region = SharedRegion.CreateFile(temporary, geometry.RegionLength);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new RingException($"cannot create region {path}: {e.Message.Replace(temporary, path)}");
        }
        try
        {
            TouchPool(region, geometry);
            WriteHeader(new RegionHeader(region.Base), geometry);
            File.Move(temporary, path, overwrite: true);
            region.Path = path;
            return new Driver(region, geometry);
        }
        catch
        {
            region.Dispose();
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Runs the driver's half of the handshake: waits for a device to claim the region and publish its offer, sets
    /// ACKNOWLEDGE | DRIVER, accepts the subset of the device's features it <paramref name="wants"/> (failing when
    /// the offer lacks one it <paramref name="requires"/>), sets FEATURES_OK, posts every RX buffer on the fill
    /// rings, and sets DRIVER_OK. <paramref name="maySleep"/> tells the device whether this driver ever sleeps on
    /// its doorbell (event, hybrid), so a device whose driver only polls never pays for ringing.
    /// </summary>
    public void Start(Features wants, Features requires, TimeSpan attachTimeout, bool maySleep = false)
    {
        var header = Header;
        Handshake.WaitFor(header, () => header.DeviceReady, attachTimeout, $"a producer to attach to {Path}", () => 0);
        header.SetStatus(DeviceStatus.Acknowledge | DeviceStatus.Driver);
        var offered = header.DeviceFeatures;
        if ((offered & requires) != requires)
        {
            header.SetStatus(DeviceStatus.Failed);
            throw new RingException($"producer offers features 0x{(ulong)offered:x}, lacking required 0x{(ulong)(requires & ~offered):x}");
        }
        Features = offered & wants;
        header.DriverFeatures = Features;
        // The atomic OR is a full fence: the device sees our features once it sees FEATURES_OK.
        header.SetStatus(DeviceStatus.FeaturesOk);
        foreach (var queue in _queues)
        {
            queue.Sleeper.DeclareMode(maySleep);
            queue.DeviceDoorbell.Arm(); // the device declared its mode before DeviceReady, seen above (acquire)
            queue.PostFill();
        }
        // The atomic OR is a full fence: our mode words and fill entries are visible with DRIVER_OK.
        header.SetStatus(DeviceStatus.DriverOk);
    }

    /// <summary>Throws a <see cref="RingException"/> when the region is broken or the device died. A device that
    /// exits after marking end of stream is fine; pass <paramref name="deviceMayBeGone"/> then.</summary>
    public void CheckPeer(bool deviceMayBeGone = false)
    {
        Handshake.ThrowIfBroken(Header);
        int pid = Header.DevicePid;
        if (!deviceMayBeGone && !Posix.ProcessExists(pid))
            throw new RingException($"producer (pid {pid}) died");
    }

    /// <summary>Unmaps the region and deletes its file, once; a file another driver has since put at the path
    /// (its header names another live driver) is left alone.</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        string path = _region.Path;
        _region.Dispose();
        if (LiveDriverPid(path) == 0)
            TryDelete(path);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to clean up: the failure that brought us here is what gets reported.
        }
    }

    private static void ThrowIfOwnedByLiveDriver(string path)
    {
        int owner = LiveDriverPid(path);
        if (owner != 0)
            throw new RingException($"region {path} is in use by consumer pid {owner}");
    }

    /// <summary>The pid of a live driver that owns the Ring region at <paramref name="path"/>, else 0.</summary>
    private static int LiveDriverPid(string path)
    {
        if (!File.Exists(path))
            return 0;
        try
        {
            using var old = SharedRegion.OpenFile(path);
            if (old.Length < RegionLayout.HeaderLength)
                return 0;
            var header = new RegionHeader(old.Base);
            int pid = header.DriverPid;
            bool live = header.MagicAcquire == RegionLayout.Magic && pid != Environment.ProcessId && Posix.ProcessExists(pid);
            return live ? pid : 0;
        }
        catch (RingException)
        {
            return 0; // unreadable leftovers are replaced
        }
    }

    private static void TouchPool(SharedRegion region, RegionGeometry geometry)
    {
        // Fault every page in now, so the first packets do not pay for it.
        for (long offset = 0; offset < geometry.RegionLength; offset += 4096)
            region.Base[offset] = 0;
    }

    private static void WriteHeader(RegionHeader header, RegionGeometry geometry)
    {
        header.Version = RegionLayout.Version;
        header.HeaderLength = RegionLayout.HeaderLength;
        header.QueuePairs = (uint)geometry.QueuePairs;
        header.RingSizeLog2 = (uint)System.Numerics.BitOperations.Log2((uint)geometry.RingSize);
        header.DescriptorSize = DescriptorLayout.Length;
        header.BufferSize = (uint)geometry.BufferSize;
        header.BufferCount = (uint)geometry.BufferCount;
        header.PoolOffset = (ulong)geometry.PoolOffset;
        header.PoolLength = (ulong)geometry.PoolLength;
        header.RegionLength = (ulong)geometry.RegionLength;
        for (int q = 0; q < geometry.QueuePairs; q++)
        {
            var o = geometry.QueuePair(q);
            header.WriteQueueTable(q, QueueTableLayout.ControlOffset, (ulong)o.Control);
            header.WriteQueueTable(q, QueueTableLayout.RxFillOffset, (ulong)o.RxFill);
            header.WriteQueueTable(q, QueueTableLayout.RxCompletionOffset, (ulong)o.RxCompletion);
            header.WriteQueueTable(q, QueueTableLayout.TxOffset, (ulong)o.Tx);
            header.WriteQueueTable(q, QueueTableLayout.TxCompletionOffset, (ulong)o.TxCompletion);
        }
        header.DriverPid = Environment.ProcessId;
        header.PublishMagic(); // last: everything above is visible to whoever reads the magic (release)
    }
}
