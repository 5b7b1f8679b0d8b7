namespace Ring;

/// <summary>
/// How a <see cref="Device"/> attaches and waits for work. Every property has a default that runs; a setter given a
/// value out of range throws <see cref="ArgumentOutOfRangeException"/> naming the property and its range.
/// </summary>
public sealed class DeviceOptions
{
    private WaitMode _waitMode = WaitMode.Poll;
    private TimeSpan _hybridPollBudget = WaitOptions.DefaultHybridPollBudget;
    private TimeSpan _attachTimeout = TimeSpan.FromSeconds(10);
    private int _requiredBufferSize;
    private int _coalesceFrames;
    private TimeSpan _coalesceTime;

    /// <summary>How the device waits when a poll finds nothing. Default <see cref="WaitMode.Poll"/>.</summary>
    public WaitMode WaitMode
    {
        get => _waitMode;
        set => _waitMode = WaitOptions.Defined(value, nameof(WaitMode));
    }

    /// <summary>How long <see cref="WaitMode.Hybrid"/> keeps polling after the last work before it sleeps,
    /// 0..1 s. Default 50 µs.</summary>
    public TimeSpan HybridPollBudget
    {
        get => _hybridPollBudget;
        set => _hybridPollBudget = WaitOptions.InRange(value, TimeSpan.Zero, TimeSpan.FromSeconds(1), nameof(HybridPollBudget));
    }

    /// <summary>How long <see cref="Device.AttachAsync(string, DeviceOptions?, CancellationToken)"/> waits, in all, for the
    /// region to appear and for the guest to finish the handshake, 0..1 day (0: the region must exist already and the
    /// handshake gets one second). Default 10 s.</summary>
    public TimeSpan AttachTimeout
    {
        get => _attachTimeout;
        set => _attachTimeout = WaitOptions.InRange(value, TimeSpan.Zero, TimeSpan.FromDays(1), nameof(AttachTimeout));
    }

    /// <summary>The fewest bytes a buffer must hold for this device (its largest packet), 0..65536 (0: any).
    /// Attaching refuses a region with smaller buffers (<see cref="RingErrorReason.Incompatible"/>) before it claims
    /// the region, so the guest can still take another device. Default 0.</summary>
    public int RequiredBufferSize
    {
        get => _requiredBufferSize;
        set => _requiredBufferSize = WaitOptions.InRange(value, 0, GuestOptions.MaxBufferSize, nameof(RequiredBufferSize));
    }

    /// <summary>Interrupt coalescing: hold the guest's doorbell until this many packets are owed, 0..65536 (0: no
    /// frame limit), like <c>ethtool -C rx-frames</c>. Default 0.</summary>
    public int CoalesceFrames
    {
        get => _coalesceFrames;
        set => _coalesceFrames = WaitOptions.InRange(value, 0, 65536, nameof(CoalesceFrames));
    }

    /// <summary>Interrupt coalescing: hold the guest's doorbell at most this long after the first packet owed,
    /// 0..1 s (0: no time limit), like <c>ethtool -C rx-usecs</c>. Default 0.</summary>
    public TimeSpan CoalesceTime
    {
        get => _coalesceTime;
        set => _coalesceTime = WaitOptions.InRange(value, TimeSpan.Zero, TimeSpan.FromSeconds(1), nameof(CoalesceTime));
    }
}
