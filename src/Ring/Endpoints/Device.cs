using Ring.Control;
using Ring.Layout;
using Ring.Memory;
using Ring.Queues;
using Ring.Region;

namespace Ring;

/// <summary>
/// The device side of a Ring region (the hypervisor's backend, the Producer program's side): it attaches to a
/// region a <see cref="Guest"/> created, checks every header field and runs the device's half of the handshake.
/// </summary>
/// <example>
/// <code>
/// await using var device = await Device.AttachAsync("demo"); // waits for the guest and the handshake
/// var writer = device.QueuePairs[0].Writer;                 // RX: device to guest
/// await writer.SendAsync("hello"u8.ToArray());
/// writer.Complete();
/// </code>
/// </example>
/// <remarks>
/// The device connects to the guest's control socket, which hands it the region (sealed memory) and refuses a second
/// device; the connection then tells each side, from the kernel, when the other is gone. Disposing tells the guest
/// the device left, stops the queue pairs and unmaps this side's view.
/// </remarks>
public sealed class Device : IDisposable, IAsyncDisposable
{
    /// <summary>The features every device offers.</summary>
    private const Features Offer = Features.EndOfStream | Features.ChainedBuffers;

    private readonly MappedRegion _region;
    private readonly ControlConnection _connection;
    private readonly RegionGeometry _geometry;
    private readonly QueuePair[] _queuePairs;
    private readonly IDisposable _metrics;
    private int _disposed;

    private Device(MappedRegion region, ControlConnection connection, RegionGeometry geometry, QueuePair[] queuePairs)
    {
        _region = region;
        _connection = connection;
        _geometry = geometry;
        _queuePairs = queuePairs;
        _metrics = RingMetrics.Register("device", region.Path, queuePairs);
    }

    /// <summary>The region's path: the guest's control socket.</summary>
    public string Path => _region.Path;

    /// <summary>Bytes a buffer holds: the longest packet either side can send in one buffer.</summary>
    public int BufferSize => _geometry.BufferSize;

    /// <summary>The region's mapping (tests reach the region through it).</summary>
    internal MappedRegion Region => _region;

    /// <summary>
    /// Reads the region's header and every queue pair's counters, both sides' (as <see cref="RegionObserver"/> does):
    /// after the peer died, what it had counted is still here, the accounting's other half.
    /// </summary>
    public RegionSnapshot Snapshot()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return RegionObserver.Read(_region, _geometry);
    }

    /// <summary>The queue pairs.</summary>
    public IReadOnlyList<QueuePair> QueuePairs
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _queuePairs;
        }
    }

    /// <summary>
    /// Attaches to region <paramref name="name"/> (its socket at <c>/dev/shm/ring-&lt;name&gt;</c>): waits for the
    /// guest to listen and to finish the handshake, up to <see cref="DeviceOptions.AttachTimeout"/> in all. Throws
    /// <see cref="RingException"/> naming the problem: not found (no guest came in time), not a Ring region,
    /// incompatible, corrupt, already driven by another device, a guest that is gone, a handshake that timed out.
    /// </summary>
    public static ValueTask<Device> AttachAsync(string name, DeviceOptions? options = null, CancellationToken cancellationToken = default) =>
        AttachAtAsync(RegionPaths.ForName(name), options ?? new DeviceOptions(), cancellationToken);

    /// <summary>As <see cref="AttachAsync"/>, to the region whose socket is at <paramref name="path"/>.</summary>
    public static ValueTask<Device> AttachAtPathAsync(string path, DeviceOptions? options = null, CancellationToken cancellationToken = default) =>
        AttachAtAsync(RegionPaths.ForPath(path), options ?? new DeviceOptions(), cancellationToken);

    private static async ValueTask<Device> AttachAtAsync(string path, DeviceOptions options, CancellationToken cancellationToken)
    {
        var timeout = options.AttachTimeout == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : options.AttachTimeout;
        long deadline = Handshake.Deadline(timeout);
        var session = await Task.Run(() => Connect(path, options.AttachTimeout, cancellationToken), cancellationToken).ConfigureAwait(false);
        var region = new MappedRegion(path, session.Memory);
        var connection = session.Connection;
        var header = RegionHeader.Of(region);
        bool claimed = false;
        try
        {
            var geometry = HeaderCheck.Validate(region);
            if (geometry.BufferSize < options.RequiredBufferSize)
            {
                connection.SendBye(ControlReason.Stopping, "its buffers are too small for this device");
                throw new RingException(RingErrorReason.Incompatible,
                    $"region {path}: its buffers hold {geometry.BufferSize} bytes, fewer than the {options.RequiredBufferSize} this device needs");
            }
            var peer = new PeerMonitor(header, guestSide: false, connection.Peer.Pid, connection.Check);
            // The guest writes the session's generation when it sees us attach: wait for it, so what follows is ours.
            await Handshake.WaitForAsync(header, () => header.SessionGeneration == session.Generation, deadline,
                "the guest to open the session", peer, cancellationToken).ConfigureAwait(false);
            Claim(header, path);
            claimed = true;
            // Only the attached device writes its offer and modes, then says so: the guest waits for DeviceReady.
            header.DeviceFeatures = Offer;
            header.DeviceWaitMode = (uint)options.WaitMode;
            var sides = new QueueSide[geometry.QueuePairs];
            for (int q = 0; q < sides.Length; q++)
            {
                sides[q] = new QueueSide(q, region, geometry, guest: false, peer, options.WaitMode, options.HybridPollBudget);
                sides[q].Sleeper.DeclareMode(options.WaitMode != WaitMode.Poll);
            }
            header.PublishDeviceReady();
            await Handshake.WaitForAsync(header, () => (header.Status & DeviceStatus.FeaturesOk) != 0, deadline,
                "the guest to accept features", peer, cancellationToken).ConfigureAwait(false);
            var accepted = header.GuestFeatures;
            if ((accepted & ~Offer) != 0)
                throw new RingException(RingErrorReason.Incompatible,
                    $"the guest accepted features 0x{(ulong)accepted:x} beyond the offer 0x{(ulong)Offer:x}");
            await Handshake.WaitForAsync(header, () => (header.Status & DeviceStatus.DriverOk) != 0, deadline,
                "the guest to set DRIVER_OK", peer, cancellationToken).ConfigureAwait(false);
            var pairs = new QueuePair[sides.Length];
            for (int q = 0; q < pairs.Length; q++)
            {
                sides[q].ChainsNegotiated = (accepted & Features.ChainedBuffers) != 0;
                var writer = new DeviceSender(sides[q]);
                var reader = new DeviceReceiver(sides[q]);
                // The guest declared its mode before DRIVER_OK, seen above (acquire).
                writer.ArmDoorbell(options.CoalesceFrames, options.CoalesceTime);
                reader.ArmDoorbell(options.CoalesceFrames, options.CoalesceTime);
                pairs[q] = new QueuePair(sides[q], reader, writer,
                    () => { writer.FlushDoorbellIfDue(); reader.FlushDoorbellIfDue(); },
                    () => writer.DoorbellOwed || reader.DoorbellOwed);
            }
            unsafe
            {
                peer.WatchHeader(region.Base);
            }
            return new Device(region, connection, geometry, pairs);
        }
        catch
        {
            if (claimed)
                header.SetStatus(DeviceStatus.Failed);
            region.Release();
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Connects to the guest's socket, turning its refusals into the library's errors.</summary>
    private static ControlSession Connect(string path, TimeSpan wait, CancellationToken cancellationToken)
    {
        try
        {
            return ControlClient.Connect(path, PeerRole.Device, wait == TimeSpan.Zero ? TimeSpan.FromMilliseconds(100) : wait, cancellationToken);
        }
        catch (ControlException e) when (e.Code == ControlReason.Timeout && !File.Exists(path))
        {
            throw new RingException(RingErrorReason.NotFound, $"region {path} not found (the consumer creates it: start it first)", e);
        }
    }

    /// <summary>Checks the region can take this device and writes its pid there (for observers).</summary>
    private static void Claim(RegionHeader header, string path)
    {
        Handshake.ThrowIfBroken(header);
        if ((header.Status & DeviceStatus.DriverOk) != 0)
            throw new RingException(RingErrorReason.InUse, $"region {path} is already running with another device");
        header.ExchangeDevicePid(header.DevicePid, Environment.ProcessId);
    }

    /// <summary>Leaves: tells the guest, stops the queue pairs and unmaps this side's view.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _metrics.Dispose(); // first: a metrics listener reads the counters in the region
        RegionHeader.Of(_region).SetStatus(DeviceStatus.DeviceLeft);
        if (_connection.Check().IsAlive)
            _connection.SendBye(ControlReason.Stopping, "the device's application disposed it");
        foreach (var pair in _queuePairs)
            pair.Close();
        _region.Release(); // unmaps before the connection closes: the guest sees the hang-up once we cannot write
        _connection.Dispose();
    }

    /// <summary>As <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
