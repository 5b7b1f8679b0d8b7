using Ring.Async;
using Ring.Doorbells;
using Ring.Layout;
using Ring.Memory;

namespace Ring.Queues;

/// <summary>
/// What the two halves (reader and writer) of one side of one queue pair share: the mapping, the pool, the
/// queue's control block and counters, this side's doorbell sleeper, the peer monitor, the wait mode, and the
/// thread that serves asynchronous waits (started by the first one).
/// </summary>
internal sealed unsafe class QueueSide
{
    private readonly object _waiterLock = new();
    private readonly List<WaitSlot> _slots = new(2);
    private AsyncWaiter? _waiter;
    private bool _waiterClosed; // under _waiterLock

    public QueueSide(int index, MappedRegion region, in RegionGeometry geometry, bool guest, IPeerMonitor peer,
        WaitMode mode, TimeSpan pollBudget)
    {
        Index = index;
        Region = region;
        Geometry = geometry;
        Offsets = geometry.QueuePair(index);
        Pool = new BufferPool(region.Base + geometry.PoolOffset, geometry);
        Control = region.Base + Offsets.Control;
        Counters = region.Base + Offsets.Counters;
        Peer = peer;
        Mode = mode;
        PollBudget = pollBudget;
        Sleeper = guest
            ? new DoorbellSleeper((uint*)(Control + QueueControlLayout.GuestDoorbellOffset),
                (uint*)(Control + QueueControlLayout.GuestNeedsWakeupOffset), (uint*)(Control + QueueControlLayout.GuestMaySleepOffset),
                Counters + CountersLayout.GuestSleeperOffset)
            : new DoorbellSleeper((uint*)(Control + QueueControlLayout.DeviceDoorbellOffset),
                (uint*)(Control + QueueControlLayout.DeviceNeedsWakeupOffset), (uint*)(Control + QueueControlLayout.DeviceMaySleepOffset),
                Counters + CountersLayout.DeviceSleeperOffset);
    }

    /// <summary>The largest frame a chain of buffers may carry.</summary>
    public const int MaxFrameLength = 65536;

    /// <summary>The queue pair's number.</summary>
    public int Index { get; }

    /// <summary>Whether chained buffers were negotiated; set before the halves are made.</summary>
    public bool ChainsNegotiated { get; set; }

    /// <summary>The most buffers a frame may span: enough for <see cref="MaxFrameLength"/>, at most a ring's worth; 1 when
    /// chained buffers were not negotiated.</summary>
    public int MaxChainLength => ChainsNegotiated ? Math.Min(Geometry.RingSize, (MaxFrameLength + Geometry.BufferSize - 1) / Geometry.BufferSize) : 1;

    /// <summary>The mapping; each half holds a reference until it is closed.</summary>
    public MappedRegion Region { get; }

    /// <summary>The region's geometry.</summary>
    public RegionGeometry Geometry { get; }

    /// <summary>Where the queue pair's parts are.</summary>
    public QueuePairOffsets Offsets { get; }

    /// <summary>The pool, as this side maps it.</summary>
    public BufferPool Pool { get; }

    /// <summary>The queue pair's control block.</summary>
    public byte* Control { get; }

    /// <summary>The queue pair's counters.</summary>
    public byte* Counters { get; }

    /// <summary>This side's end of its own doorbell.</summary>
    public DoorbellSleeper Sleeper { get; }

    /// <summary>What this side knows of its peer.</summary>
    public IPeerMonitor Peer { get; }

    /// <summary>How this side waits.</summary>
    public WaitMode Mode { get; }

    /// <summary>Hybrid's poll budget.</summary>
    public TimeSpan PollBudget { get; }

    /// <summary>A ring of this queue pair, at <paramref name="offset"/> in the region.</summary>
    public Rings.RingPosition Ring(long offset) => new(Region.Base + offset, Geometry.RingSize);

    /// <summary>The waker's end of the peer's doorbell, counting into the half's counter block.</summary>
    public Doorbell PeerDoorbell(HalfCounters counters, bool guest) => guest
        ? new Doorbell((uint*)(Control + QueueControlLayout.DeviceDoorbellOffset),
            (uint*)(Control + QueueControlLayout.DeviceNeedsWakeupOffset), (uint*)(Control + QueueControlLayout.DeviceMaySleepOffset),
            counters.Doorbells, counters.PublishedDoorbells)
        : new Doorbell((uint*)(Control + QueueControlLayout.GuestDoorbellOffset),
            (uint*)(Control + QueueControlLayout.GuestNeedsWakeupOffset), (uint*)(Control + QueueControlLayout.GuestMaySleepOffset),
            counters.Doorbells, counters.PublishedDoorbells);

    /// <summary>Adds a half's wait slot; the waiter serves every slot added before it starts.</summary>
    public void AddSlot(WaitSlot slot)
    {
        lock (_waiterLock)
            _slots.Add(slot);
    }

    /// <summary>The waiter thread for asynchronous waits, started on first use; throws
    /// <see cref="ObjectDisposedException"/> once the queue pair is closed, so a wait racing a dispose never starts a
    /// thread that would read the rings after the mapping is gone.</summary>
    public AsyncWaiter Waiter()
    {
        lock (_waiterLock)
            return _waiterClosed ? throw new ObjectDisposedException("queue pair")
                : _waiter ??= new AsyncWaiter(Mode, PollBudget, Sleeper, [.. _slots], () => Peer.Refresh(), $"ring queue {Index} waiter");
    }

    /// <summary>Whether asynchronous waits have been used (a synchronous idle loop may not then sleep too).</summary>
    public bool HasWaiter => Volatile.Read(ref _waiter) is not null;

    /// <summary>Stops the waiter thread, if any; its pending waits fail with <see cref="ObjectDisposedException"/>.
    /// With <paramref name="forGood"/> (the queue pair closes) no later wait starts another.</summary>
    public void StopWaiter(bool forGood = false)
    {
        AsyncWaiter? waiter;
        lock (_waiterLock)
        {
            _waiterClosed |= forGood;
            waiter = _waiter;
            _waiter = null; // a later wait (after a reset) starts a new one
        }
        waiter?.Dispose();
    }
}
