using Ring.Control;
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
/// using var guest = Guest.Create("demo");                 // the region "demo", default geometry
/// await guest.StartAsync();                              // waits for a device to attach
/// var reader = guest.QueuePairs[0].Reader;
/// await foreach (var burst in reader.ReceiveAllAsync())  // each burst's buffers go back to the device
///     Console.WriteLine(burst.Count);
/// </code>
/// </example>
/// <remarks>
/// The region is sealed anonymous memory (a memfd no side can shrink or grow), handed to the device, and read-only
/// to observers, over a Unix socket at the region's path (<c>/dev/shm/ring-&lt;name&gt;</c>); the socket also tells
/// each side, from the kernel, when the other is gone. Disposing tells the device the guest left (it then reports
/// that, not a death), stops the queue pairs' async waits, waits for any call still inside the region to leave,
/// unmaps the region and removes the socket. Calls made afterwards throw <see cref="ObjectDisposedException"/>.
/// </remarks>
public sealed class Guest : IDisposable, IAsyncDisposable
{
    private readonly MappedRegion _region;
    private readonly GuestControl _control;
    private readonly RegionGeometry _geometry;
    private readonly WaitMode _waitMode;
    private readonly TimeSpan _pollBudget;
    private readonly TimeSpan _attachTimeout;
    private QueuePair[]? _queuePairs;
    private PeerMonitor? _peer;
    private IDisposable? _metrics;
    private int _started;
    private int _disposed;

    private Guest(MappedRegion region, GuestControl control, RegionGeometry geometry, GuestOptions options)
    {
        _region = region;
        _control = control;
        _geometry = geometry;
        _waitMode = options.WaitMode;
        _pollBudget = options.HybridPollBudget;
        _attachTimeout = options.AttachTimeout;
    }

    /// <summary>
    /// Creates region <paramref name="name"/> (its socket at <c>/dev/shm/ring-&lt;name&gt;</c>, mode 0600) laid out as
    /// <paramref name="options"/> say. Throws <see cref="RingException"/> (<see cref="RingErrorReason.InUse"/>) when a
    /// live guest owns that name; replaces what a guest that crashed left behind (<see cref="ReplacedStaleRegion"/>).
    /// </summary>
    public static Guest Create(string name, GuestOptions? options = null) => CreateAt(RegionPaths.ForName(name), options);

    /// <summary>As <see cref="Create"/>, with the region's socket at an explicit <paramref name="path"/>.</summary>
    public static Guest CreateAtPath(string path, GuestOptions? options = null) => CreateAt(RegionPaths.ForPath(path), options);

    private static unsafe Guest CreateAt(string path, GuestOptions? options)
    {
        options ??= new GuestOptions();
        var geometry = RegionGeometry.ForQueues(options.QueuePairs, options.RingSize, options.BufferSize, options.CheckedBuffersPerRing);
        if (geometry.Validate() is { } problem)
            throw new ArgumentException(problem, nameof(options));
        var memory = SealedMemory.Create("ring-" + System.IO.Path.GetFileName(path), geometry.RegionLength);
        try
        {
            // Fault every page in now, so the first packets do not pay for it.
            for (long offset = 0; offset < memory.Length; offset += 4096)
                memory.Address[offset] = 0;
            HeaderCheck.Write(new RegionHeader(memory.Address), geometry, options.WaitMode);
            GuestControl control;
            try
            {
                control = GuestControl.Bind(path, memory);
            }
            catch (ControlException e) when (e.Code == ControlReason.SystemError)
            {
                // A missing directory, no permission, no space: say what could not be created, then why.
                throw new ControlException(e.Code, $"cannot create region {path}: {e.Message}");
            }
            return new Guest(new MappedRegion(path, memory), control, geometry, options);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>The region's path: its control socket.</summary>
    public string Path => _region.Path;

    /// <summary>Bytes a buffer holds.</summary>
    public int BufferSize => _geometry.BufferSize;

    /// <summary>Whether creating the region replaced one a guest that crashed had left at the path.</summary>
    public bool ReplacedStaleRegion => _control.ReplacedStaleRegion;

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
    /// Waits (up to <see cref="GuestOptions.AttachTimeout"/>) for a device to attach, negotiates features, posts
    /// receive buffers and lets the device run. Throws <see cref="RingException"/> when no device came in time
    /// (<see cref="RingErrorReason.TimedOut"/>) or the device gave up; the region is then marked FAILED.
    /// </summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (Interlocked.Exchange(ref _started, 1) != 0)
            throw new InvalidOperationException("the guest was started already");
        await ConnectDeviceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resets the device, as a virtio driver resets a device that failed, and waits (up to
    /// <see cref="GuestOptions.AttachTimeout"/>) for a device to attach again: the way to go on after the device died
    /// or left (vhost-user's reconnect). Every buffer that was posted to the device or in flight comes back (the
    /// pool's accounting stays exact: <see cref="LastReset"/> says how many); buffers the application holds stay
    /// its own. The rings, the control words and the counters start from zero, the header from a new handshake,
    /// and the device gets a new session (a new generation), so a device of the old session that is still running
    /// sees its session end and cannot write into the new one. The same <see cref="QueuePairs"/> serve the new
    /// session; each reader's <see cref="PacketReader.Completion"/> starts over. Call it only while nothing else uses
    /// the queue pairs (stop the poll loops, await the pending waits).
    /// </summary>
    public async ValueTask ResetAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var pairs = _queuePairs ?? throw new InvalidOperationException("the guest has not started: await StartAsync first");
        int posted = 0, inFlight = 0;
        foreach (var pair in pairs)
            pair.Side.StopWaiter();
        _control.DetachDevice("the guest reset the device");
        ClearForNewSession(pairs);
        foreach (var pair in pairs)
        {
            var reader = (GuestReceiver)pair.ReceiverHalf;
            var writer = (GuestSender)pair.SenderHalf;
            reader.Reset();
            writer.Reset();
            posted += reader.ReclaimedAtReset;
            inFlight += writer.ReclaimedAtReset;
        }
        LastReset = new DeviceReset(posted, inFlight);
        await ConnectDeviceAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the last <see cref="ResetAsync"/> took back from the device.</summary>
    public DeviceReset LastReset { get; private set; }

    /// <summary>The handshake, from waiting for a device to DRIVER_OK: the first one, and again after each reset.</summary>
    private async ValueTask ConnectDeviceAsync(CancellationToken cancellationToken)
    {
        var header = RegionHeader.Of(_region);
        long deadline = Handshake.Deadline(_attachTimeout);
        try
        {
            // A device that goes before its offer (it refused the region: buffers too small for it, say, or it
            // died attaching) took nothing: detach it and wait, within the same deadline, for the next one.
            while (true)
            {
                var (device, generation) = await _control.WaitForDeviceAsync(deadline, $"a device to attach to {Path}", cancellationToken).ConfigureAwait(false);
                header.SessionGeneration = generation;
                if (_peer is null)
                    _peer = new PeerMonitor(header, guestSide: true, device.Peer.Pid, device.Check);
                else
                    _peer.Rebind(device.Check, device.Peer.Pid);
                try
                {
                    await Handshake.WaitForAsync(header, () => header.DeviceReady, deadline, "the device's offer", _peer,
                        cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RingException e) when (e.Reason is RingErrorReason.PeerLeft or RingErrorReason.PeerDied && !header.DeviceReady)
                {
                    _control.DetachDevice($"the device went before its offer: {e.Message}");
                    header.ClearForNewSession(); // what it wrote of its part (pid, features, mode) is not the next one's
                }
            }
            header.SetStatus(DeviceStatus.Acknowledge | DeviceStatus.Driver);
            var offered = header.DeviceFeatures;
            if ((offered & Features.EndOfStream) == 0)
                throw new RingException(RingErrorReason.Incompatible,
                    $"the device offers features 0x{(ulong)offered:x}, lacking END_OF_STREAM (0x{(ulong)Features.EndOfStream:x})");
            var accepted = offered & (Features.EndOfStream | Features.ChainedBuffers);
            header.GuestFeatures = accepted;
            // The atomic OR is a full fence: the device sees our features once it sees FEATURES_OK.
            header.SetStatus(DeviceStatus.FeaturesOk);
            bool chains = (accepted & Features.ChainedBuffers) != 0;
            if (_queuePairs is null)
            {
                var pairs = new QueuePair[_geometry.QueuePairs];
                for (int q = 0; q < pairs.Length; q++)
                {
                    var side = new QueueSide(q, _region, _geometry, guest: true, _peer, _waitMode, _pollBudget) { ChainsNegotiated = chains };
                    var receiver = new GuestReceiver(side);
                    pairs[q] = new QueuePair(side, receiver, new GuestSender(side, receiver), static () => { }, static () => false);
                }
                _queuePairs = pairs;
                _metrics = RingMetrics.Register("guest", Path, pairs);
            }
            foreach (var pair in _queuePairs)
            {
                pair.Side.ChainsNegotiated = chains;
                pair.Side.Sleeper.DeclareMode(_waitMode != WaitMode.Poll);
                var reader = (GuestReceiver)pair.ReceiverHalf;
                reader.ArmDoorbell(); // the device declared its mode before DeviceReady, seen above (acquire)
                ((GuestSender)pair.SenderHalf).ArmDoorbell();
                reader.PostFree();
            }
            // The atomic OR is a full fence: our mode words and fill entries are visible with DRIVER_OK.
            header.SetStatus(DeviceStatus.DriverOk);
            unsafe
            {
                _peer.WatchHeader(_region.Base);
            }
        }
        catch
        {
            _peer?.BreakingOurselves();
            header.SetStatus(DeviceStatus.Failed);
            throw;
        }
    }

    /// <summary>
    /// Clears what the last session left for the next: every queue pair's rings (so each entry reads "not ready" on
    /// the first lap again), control words and counters (keeping the buffers the application holds), and the
    /// handshake's header fields. The geometry and the queue table stay.
    /// </summary>
    private unsafe void ClearForNewSession(QueuePair[] pairs)
    {
        var header = RegionHeader.Of(_region);
        foreach (var pair in pairs)
        {
            var offsets = _geometry.QueuePair(pair.Index);
            ulong rxHeld = (ulong)pair.Reader.Counters.Held, txHeld = (ulong)pair.Writer.Counters.Held;
            long length = offsets.TxCompletion + RingLayout.Length(_geometry.RingSize, DescriptorLayout.BufferEntryLength) - offsets.Control;
            new Span<byte>(_region.Base + offsets.Control, checked((int)length)).Clear();
            pair.ReceiverHalf.RestoreHeld(rxHeld);
            pair.SenderHalf.RestoreHeld(txHeld);
        }
        header.ClearForNewSession();
    }

    /// <summary>Leaves: tells the device, stops the queue pairs, unmaps the region and removes its socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _metrics?.Dispose(); // first: a metrics listener reads the counters in the region
        RegionHeader.Of(_region).SetStatus(DeviceStatus.GuestLeft);
        _control.Leave("the guest's application disposed it");
        foreach (var pair in _queuePairs ?? [])
            pair.Close();
        _control.Dispose();
        _region.Release();
    }

    /// <summary>As <see cref="Dispose"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
