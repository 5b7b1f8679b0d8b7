using System.Diagnostics;
using Ring.Layout;
using Ring.Memory;
using Ring.Native;
using Ring.Queues;
using Ring.Region;

namespace Ring;

/// <summary>
/// The device side of a Ring region (the hypervisor's backend, the Producer program's side): it attaches to a
/// region a <see cref="Guest"/> created, checks every header field, claims the region (one device at a time) and
/// runs the device's half of the handshake.
/// </summary>
/// <example>
/// <code>
/// await using var device = await Device.AttachAsync("demo"); // waits for the region and the guest
/// var writer = device.QueuePairs[0].Writer;                 // RX: device to guest
/// await writer.SendAsync("hello"u8.ToArray());
/// writer.Complete();
/// </code>
/// </example>
/// <remarks>
/// Disposing tells the guest the device left, stops the queue pairs and unmaps this side's view; the region and
/// its file stay the guest's.
/// </remarks>
public sealed class Device : IDisposable, IAsyncDisposable
{
    private readonly MappedRegion _region;
    private readonly RegionGeometry _geometry;
    private readonly QueuePair[] _queuePairs;
    private readonly IDisposable _metrics;
    private int _disposed;

    /// <summary>The features every device offers.</summary>
    private const Features Offer = Features.EndOfStream | Features.ChainedBuffers;

    private Device(MappedRegion region, RegionGeometry geometry, QueuePair[] queuePairs)
    {
        _region = region;
        _geometry = geometry;
        _queuePairs = queuePairs;
        _metrics = RingMetrics.Register("device", region.Path, queuePairs);
    }

    /// <summary>The region's file.</summary>
    public string Path => _region.Path;

    /// <summary>Bytes a buffer holds: the longest packet either side can send.</summary>
    public int BufferSize => _geometry.BufferSize;

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
    /// Attaches to region <paramref name="name"/> (<c>/dev/shm/ring-&lt;name&gt;</c>): waits for it to appear and for
    /// the guest to finish the handshake, up to <see cref="DeviceOptions.AttachTimeout"/> in all. Throws
    /// <see cref="RingException"/> naming the problem: not found, not a Ring region, incompatible, corrupt, already
    /// driven by another device, a guest that is gone, a handshake that timed out.
    /// </summary>
    public static ValueTask<Device> AttachAsync(string name, DeviceOptions? options = null, CancellationToken cancellationToken = default) =>
        AttachAtAsync(RegionPaths.ForName(name), options ?? new DeviceOptions(), cancellationToken);

    /// <summary>As <see cref="AttachAsync"/>, to the region file at <paramref name="path"/>.</summary>
    public static ValueTask<Device> AttachAtPathAsync(string path, DeviceOptions? options = null, CancellationToken cancellationToken = default) =>
        AttachAtAsync(RegionPaths.ForPath(path), options ?? new DeviceOptions(), cancellationToken);

    private static async ValueTask<Device> AttachAtAsync(string path, DeviceOptions options, CancellationToken cancellationToken)
    {
        long deadline = Handshake.Deadline(options.AttachTimeout == TimeSpan.Zero ? TimeSpan.FromSeconds(1) : options.AttachTimeout);
        // The guest renames a complete region into place, so existence is enough.
        while (!File.Exists(path) && options.AttachTimeout != TimeSpan.Zero && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(5, cancellationToken).ConfigureAwait(false);
        var region = MappedRegion.OpenFile(path, writable: true);
        bool claimed = false;
        var header = RegionHeader.Of(region);
        try
        {
            var geometry = HeaderCheck.Validate(region);
            if (geometry.BufferSize < options.RequiredBufferSize)
                throw new RingException(RingErrorReason.Incompatible,
                    $"region {path}: its buffers hold {geometry.BufferSize} bytes, fewer than the {options.RequiredBufferSize} this device needs");
            int guestPid = Claim(header, path);
            claimed = true;
            var peer = new PeerMonitor(header, guestSide: false, guestPid);
            // Only the device that won the claim writes its offer and modes, then says so: the guest waits for DeviceReady.
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
                "the guest to accept features", guestPid, cancellationToken).ConfigureAwait(false);
            var accepted = header.GuestFeatures;
            if ((accepted & ~Offer) != 0)
                throw new RingException(RingErrorReason.Incompatible,
                    $"the guest accepted features 0x{(ulong)accepted:x} beyond the offer 0x{(ulong)Offer:x}");
            await Handshake.WaitForAsync(header, () => (header.Status & DeviceStatus.DriverOk) != 0, deadline,
                "the guest to set DRIVER_OK", guestPid, cancellationToken).ConfigureAwait(false);
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
            return new Device(region, geometry, pairs);
        }
        catch
        {
            if (claimed)
                header.SetStatus(DeviceStatus.Failed);
            region.Release();
            throw;
        }
    }

    /// <summary>Checks the region can take a device and claims it; returns the guest's pid, copied once.</summary>
    private static int Claim(RegionHeader header, string path)
    {
        Handshake.ThrowIfBroken(header);
        int guestPid = header.GuestPid;
        if (!Posix.ProcessExists(guestPid))
            throw new RingException(RingErrorReason.PeerDied, $"region {path} is stale: its guest (pid {guestPid}) is gone");
        if ((header.Status & DeviceStatus.DriverOk) != 0)
            throw new RingException(RingErrorReason.InUse, $"region {path} is already running with another device");
        int me = Environment.ProcessId;
        int previous = header.ExchangeDevicePid(0, me);
        if (previous == 0)
            return guestPid;
        if (previous == me || Posix.ProcessExists(previous))
            throw new RingException(RingErrorReason.InUse, $"region {path} is already driven by device pid {previous}");
        // A dead device may be replaced only before the guest has read its offer (ACKNOWLEDGE comes right after):
        // the guest reads the offer and the device's mode once.
        if ((header.Status & DeviceStatus.Acknowledge) != 0)
            throw new RingException(RingErrorReason.PeerFailed, $"region {path}: its device (pid {previous}) died during the handshake; restart the guest");
        if (header.ExchangeDevicePid(previous, me) != previous)
            throw new RingException(RingErrorReason.InUse, $"region {path}: another device claimed it at the same time");
        return guestPid;
    }

    /// <summary>Leaves: tells the guest, stops the queue pairs and unmaps this side's view.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _metrics.Dispose(); // first: a metrics listener reads the counters in the region
        RegionHeader.Of(_region).SetStatus(DeviceStatus.DeviceLeft);
        foreach (var pair in _queuePairs)
            pair.Close();
        _region.Release();
    }

    /// <summary>As <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
