using Ring.Layout;
using Ring.Memory;
using Ring.Queues;
using Ring.Region;

namespace Ring;

/// <summary>
/// The guest side of a Ring region (the poll-mode driver, the Consumer program's side): it creates the region,
/// which is guest memory, owns the buffer pool in it, and drives the handshake with a <see cref="Device"/>.
/// </summary>
/// <example>
/// <code>
/// using var guest = Guest.Create("demo");                 // /dev/shm/ring-demo, default geometry
/// await guest.StartAsync();                              // waits for a device to attach
/// var reader = guest.QueuePairs[0].Reader;
/// await foreach (var burst in reader.ReceiveAllAsync())  // each burst's buffers go back to the device
///     Console.WriteLine(burst.Count);
/// </code>
/// </example>
/// <remarks>
/// Disposing tells the device the guest left (it then reports that, not a death), stops the queue pairs' async
/// waits, waits for any call still inside the region to leave, unmaps the region and deletes its file. Calls made
/// afterwards throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class Guest : IDisposable, IAsyncDisposable
{
    private readonly MappedRegion _region;
    private readonly RegionGeometry _geometry;
    private readonly WaitMode _waitMode;
    private readonly TimeSpan _pollBudget;
    private readonly TimeSpan _attachTimeout;
    private QueuePair[]? _queuePairs;
    private PeerMonitor? _peer;
    private IDisposable? _metrics;
    private int _started;
    private int _disposed;

    private Guest(MappedRegion region, RegionGeometry geometry, GuestOptions options)
    {
        _region = region;
        _geometry = geometry;
        _waitMode = options.WaitMode;
        _pollBudget = options.HybridPollBudget;
        _attachTimeout = options.AttachTimeout;
    }

    /// <summary>
    /// Creates region <paramref name="name"/> (the file <c>/dev/shm/ring-&lt;name&gt;</c>, mode 0600) laid out as
    /// <paramref name="options"/> say. Throws <see cref="RingException"/> (<see cref="RingErrorReason.InUse"/>) when a
    /// live guest owns that name, and replaces a region a dead guest left behind.
    /// </summary>
    public static Guest Create(string name, GuestOptions? options = null) => CreateAt(RegionPaths.ForName(name), options);

    /// <summary>As <see cref="Create"/>, at an explicit file <paramref name="path"/>.</summary>
    public static Guest CreateAtPath(string path, GuestOptions? options = null) => CreateAt(RegionPaths.ForPath(path), options);

    private static Guest CreateAt(string path, GuestOptions? options)
    {
        options ??= new GuestOptions();
        var geometry = RegionGeometry.ForQueues(options.QueuePairs, options.RingSize, options.BufferSize, options.CheckedBuffersPerRing);
        if (geometry.Validate() is { } problem)
            throw new ArgumentException(problem, nameof(options));
        return new Guest(RegionFile.Create(path, geometry, options.WaitMode), geometry, options);
    }

    /// <summary>The region's file.</summary>
    public string Path => _region.Path;

    /// <summary>Bytes a buffer holds.</summary>
    public int BufferSize => _geometry.BufferSize;

    /// <summary>The queue pairs, once <see cref="StartAsync"/> has completed.</summary>
    public IReadOnlyList<QueuePair> QueuePairs
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return _queuePairs ?? throw new InvalidOperationException("the guest has not started: await StartAsync first");
        }
    }

    /// <summary>
    /// Waits (up to <see cref="GuestOptions.AttachTimeout"/>) for a device to attach, negotiates features, posts every
    /// receive buffer and lets the device run. Throws <see cref="RingException"/> when no device came in time
    /// (<see cref="RingErrorReason.TimedOut"/>) or the device gave up; the region is then marked FAILED.
    /// </summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("the guest was started already");
        var header = RegionHeader.Of(_region);
        long deadline = Handshake.Deadline(_attachTimeout);
        try
        {
            await Handshake.WaitForAsync(header, () => header.DeviceReady, deadline, $"a device to attach to {Path}", 0,
                cancellationToken).ConfigureAwait(false);
            int devicePid = header.DevicePid; // copied once: liveness is judged from this copy, never re-read
            header.SetStatus(DeviceStatus.Acknowledge | DeviceStatus.Driver);
            var offered = header.DeviceFeatures;
            if ((offered & Features.EndOfStream) == 0)
                throw new RingException(RingErrorReason.Incompatible,
                    $"the device offers features 0x{(ulong)offered:x}, lacking END_OF_STREAM (0x{(ulong)Features.EndOfStream:x})");
            var accepted = offered & (Features.EndOfStream | Features.ChainedBuffers);
            header.GuestFeatures = accepted;
            // The atomic OR is a full fence: the device sees our features once it sees FEATURES_OK.
            header.SetStatus(DeviceStatus.FeaturesOk);
            _peer = new PeerMonitor(header, guestSide: true, devicePid);
            var pairs = new QueuePair[_geometry.QueuePairs];
            for (int q = 0; q < pairs.Length; q++)
            {
                var side = new QueueSide(q, _region, _geometry, guest: true, _peer, _waitMode, _pollBudget)
                {
                    ChainsNegotiated = (accepted & Features.ChainedBuffers) != 0,
                };
                side.Sleeper.DeclareMode(_waitMode != WaitMode.Poll);
                var reader = new GuestReceiver(side);
                var writer = new GuestSender(side);
                reader.ArmDoorbell(); // the device declared its mode before DeviceReady, seen above (acquire)
                writer.ArmDoorbell();
                reader.PostFree();
                pairs[q] = new QueuePair(side, reader, writer, static () => { }, static () => false);
            }
            _queuePairs = pairs;
            _metrics = RingMetrics.Register("guest", Path, pairs);
            // The atomic OR is a full fence: our mode words and fill entries are visible with DRIVER_OK.
            header.SetStatus(DeviceStatus.DriverOk);
        }
        catch
        {
            _peer?.BreakingOurselves();
            header.SetStatus(DeviceStatus.Failed);
            throw;
        }
    }

    /// <summary>Leaves: tells the device, stops the queue pairs, unmaps the region and deletes its file.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _metrics?.Dispose(); // first: a metrics listener reads the counters in the region
        RegionHeader.Of(_region).SetStatus(DeviceStatus.GuestLeft);
        foreach (var pair in _queuePairs ?? [])
            pair.Close();
        string path = _region.Path;
        _region.Release();
        RegionFile.Delete(path);
    }

    /// <summary>As <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
