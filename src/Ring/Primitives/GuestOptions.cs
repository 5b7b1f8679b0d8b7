namespace Ring;

/// <summary>
/// How a <see cref="Guest"/> lays out its region and waits for work. Every property has a default that runs
/// (one queue pair, 1024-entry rings, 2048-byte buffers, busy-poll); a setter given a value out of range throws
/// <see cref="ArgumentOutOfRangeException"/> naming the property and its range.
/// </summary>
public sealed class GuestOptions
{
    /// <summary>Most queue pairs a region holds.</summary>
    public const int MaxQueuePairs = 16;
    /// <summary>Smallest ring.</summary>
    public const int MinRingSize = 16;
    /// <summary>Largest ring.</summary>
    public const int MaxRingSize = 32768;
    /// <summary>Smallest buffer: room for an Ethernet header and a sequence number.</summary>
    public const int MinBufferSize = 64;
    /// <summary>Largest buffer.</summary>
    public const int MaxBufferSize = 65536;

    private int _queuePairs = 1;
    private int _ringSize = 1024;
    private int _bufferSize = 2048;
    private int? _buffersPerRing;
    private WaitMode _waitMode = WaitMode.Poll;
    private TimeSpan _hybridPollBudget = WaitOptions.DefaultHybridPollBudget;
    private TimeSpan _attachTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Queue pairs, 1..16; each has its own four rings and its own buffers. Default 1.</summary>
    public int QueuePairs
    {
        get => _queuePairs;
        set => _queuePairs = WaitOptions.InRange(value, 1, MaxQueuePairs, nameof(QueuePairs));
    }

    /// <summary>Entries per ring, a power of two from 16 to 32768. It is also the number of buffers each queue
    /// pair has for each direction. Default 1024.</summary>
    public int RingSize
    {
        get => _ringSize;
        set
        {
            WaitOptions.InRange(value, MinRingSize, MaxRingSize, nameof(RingSize));
            if (!System.Numerics.BitOperations.IsPow2(value))
                throw new ArgumentOutOfRangeException(nameof(RingSize), value, $"{nameof(RingSize)} must be a power of two from {MinRingSize} to {MaxRingSize}");
            _ringSize = value;
        }
    }

    /// <summary>
    /// Buffers each direction of each queue pair owns, from <see cref="RingSize"/> to 64 x RingSize. Default
    /// 4 x RingSize. At most a ring's worth is ever with the peer; the others wait, first in, first out, so a buffer
    /// is used again only after all the others: its lines have left the peer's cache by then (measured: see
    /// docs/PERFORMANCE.md, "Buffers per ring").
    /// </summary>
    public int BuffersPerRing
    {
        get => _buffersPerRing ?? DefaultBuffersPerRing(_ringSize);
        set => _buffersPerRing = WaitOptions.InRange(value, _ringSize, 64 * _ringSize, nameof(BuffersPerRing));
    }

    /// <summary>Buffers per ring, in ring sizes, unless told otherwise.</summary>
    private const int DefaultBuffersPerRingFactor = 4;

    /// <summary>The <see cref="BuffersPerRing"/> a guest with rings of <paramref name="ringSize"/> entries gets unless told otherwise.</summary>
    public static int DefaultBuffersPerRing(int ringSize) => DefaultBuffersPerRingFactor * ringSize;

    /// <summary>Bytes a buffer holds, 64..65536: the largest packet in one buffer (a larger frame is a chain). Default
    /// 2048. Buffers are packed, each rounded up to a whole number of cache lines.</summary>
    public int BufferSize
    {
        get => _bufferSize;
        set => _bufferSize = WaitOptions.InRange(value, MinBufferSize, MaxBufferSize, nameof(BufferSize));
    }

    /// <summary>How the guest waits when a poll finds nothing. Default <see cref="WaitMode.Poll"/>. It governs the
    /// async waits too (<see cref="PacketReader.WaitToReceiveAsync"/>, <see cref="PacketWriter.WaitToSendAsync"/>):
    /// under <see cref="WaitMode.Poll"/> a pending wait spins a thread on a core, as a poll-mode driver does; choose
    /// <see cref="WaitMode.Event"/> or <see cref="WaitMode.Hybrid"/> for waits that sleep.</summary>
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

    /// <summary>How long <see cref="Guest.StartAsync"/> waits for a device to attach, 1 ms..1 day. Default 10 s.</summary>
    public TimeSpan AttachTimeout
    {
        get => _attachTimeout;
        set => _attachTimeout = WaitOptions.InRange(value, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1), nameof(AttachTimeout));
    }
}
