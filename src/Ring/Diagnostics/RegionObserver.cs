using Ring.Layout;
using Ring.Memory;
using Ring.Queues;
using Ring.Region;

namespace Ring;

/// <summary>
/// Watches a running region from a third process, without taking part: it attaches to the guest's control socket
/// as an observer, which hands it the region opened read-only, mapped without write access, so the observer cannot
/// change a byte. It reads the header (checked as a device checks it) and the counters both sides keep in the region.
/// </summary>
/// <example>
/// <code>
/// using var observer = RegionObserver.Open("demo");
/// var snapshot = observer.Snapshot();
/// Console.WriteLine($"{snapshot.State}: {snapshot.Queues[0].GuestReceiver.Packets} packets received");
/// </code>
/// </example>
public sealed unsafe class RegionObserver : IDisposable
{
    private readonly MappedRegion _region;
    private readonly Control.ControlConnection _connection;
    private readonly RegionGeometry _geometry;
    private int _disposed;

    private RegionObserver(MappedRegion region, Control.ControlConnection connection, RegionGeometry geometry)
    {
        _region = region;
        _connection = connection;
        _geometry = geometry;
    }

    /// <summary>Opens region <paramref name="name"/> (<c>/dev/shm/ring-&lt;name&gt;</c>) read-only. Throws
    /// <see cref="RingException"/> when it is missing, not a Ring region, incompatible or corrupt.</summary>
    public static RegionObserver Open(string name) => OpenAt(RegionPaths.ForName(name));

    /// <summary>As <see cref="Open"/>, for the region file at <paramref name="path"/>.</summary>
    public static RegionObserver OpenAtPath(string path) => OpenAt(RegionPaths.ForPath(path));

    private static RegionObserver OpenAt(string path)
    {
        Control.ControlSession session;
        try
        {
            session = Control.ControlClient.Connect(path, Control.PeerRole.Observer, TimeSpan.FromMilliseconds(500));
        }
        catch (Control.ControlException e) when (e.Code == Control.ControlReason.Timeout)
        {
            throw new RingException(File.Exists(path) ? RingErrorReason.Foreign : RingErrorReason.NotFound,
                File.Exists(path) ? $"{path} is not a live Ring region: no guest answers on it" : $"region {path} not found", e);
        }
        var region = new MappedRegion(path, session.Memory);
        try
        {
            return new RegionObserver(region, session.Connection, HeaderCheck.Validate(region));
        }
        catch
        {
            region.Release();
            session.Connection.Dispose();
            throw;
        }
    }

    /// <summary>The region's file.</summary>
    public string Path => _region.Path;

    /// <summary>Whether the guest is still there: its control connection is open (this view of the region stays
    /// valid after it went, frozen).</summary>
    public bool GuestAlive => _connection.Check().IsAlive;

    /// <summary>Reads the header and every queue pair's counters.</summary>
    public RegionSnapshot Snapshot()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return Read(_region, _geometry);
    }

    /// <summary>The header and every queue pair's counters of <paramref name="region"/>, laid out as
    /// <paramref name="geometry"/>: what an observer, a guest or a device reads of the region. Every word is the peers'
    /// and read once.</summary>
    internal static RegionSnapshot Read(MappedRegion region, RegionGeometry geometry)
    {
        var header = RegionHeader.Of(region);
        var status = header.Status;
        var queues = new QueueSnapshot[geometry.QueuePairs];
        for (int q = 0; q < queues.Length; q++)
        {
            byte* counters = region.Base + geometry.QueuePair(q).Counters;
            queues[q] = new QueueSnapshot(q,
                HalfCounters.Read((ulong*)(counters + CountersLayout.GuestReceiverOffset)),
                HalfCounters.Read((ulong*)(counters + CountersLayout.GuestSenderOffset)),
                HalfCounters.Read((ulong*)(counters + CountersLayout.DeviceSenderOffset)),
                HalfCounters.Read((ulong*)(counters + CountersLayout.DeviceReceiverOffset)),
                HalfCounters.ReadSleeper((ulong*)(counters + CountersLayout.GuestSleeperOffset)),
                HalfCounters.ReadSleeper((ulong*)(counters + CountersLayout.DeviceSleeperOffset)));
        }
        bool negotiated = (status & DeviceStatus.FeaturesOk) != 0;
        return new RegionSnapshot(region.Path, StateOf(status), (RegionStatus)status,
            negotiated ? (RegionFeatures)header.GuestFeatures : RegionFeatures.None, header.GuestPid, header.DevicePid,
            ModeOf(header.GuestWaitMode), ModeOf(header.DeviceWaitMode), geometry.RingSize, geometry.BufferSize, queues);
    }

    /// <summary>Unmaps the view.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _region.Release();
        _connection.Dispose();
    }

    private static RegionState StateOf(DeviceStatus status) =>
        (status & (DeviceStatus.Failed | DeviceStatus.DeviceNeedsReset)) != 0 ? RegionState.Failed
        : (status & DeviceStatus.GuestLeft) != 0 ? RegionState.GuestLeft
        : (status & DeviceStatus.DeviceLeft) != 0 ? RegionState.DeviceLeft
        : (status & DeviceStatus.DriverOk) != 0 ? RegionState.Running
        : RegionState.WaitingForDevice;

    /// <summary>A wait mode the peer wrote: untrusted, so an unknown value reads as Poll.</summary>
    private static WaitMode ModeOf(uint value) => Enum.IsDefined((WaitMode)value) ? (WaitMode)value : WaitMode.Poll;
}
