using Ring.Doorbells;
using Ring.Layout;
using Ring.Rings;

namespace Ring.Queues;

/// <summary>
/// The device's side of one queue pair: it takes guest buffers from the RX fill ring, fills them and posts RX
/// completions; it takes packets from the TX ring and posts TX completions. Work moves in bursts and each burst
/// publishes each ring's index once.
/// </summary>
/// <remarks>
/// Design: each direction is two-phase. <see cref="TakeRxBuffers"/> peeks fill entries (no more than the RX
/// completion ring has room for, so every buffer taken can be completed) and validates each offset once;
/// <see cref="CompleteRx"/> posts the completions and releases the fill entries. <see cref="ReceiveTx"/> and
/// <see cref="CompleteTx"/> do the same for TX. Every offset and descriptor is copied out once and validated;
/// a bad one is dropped and counted, never dereferenced. Not thread-safe: one thread per queue pair.
/// </remarks>
public sealed unsafe class DeviceQueue
{
    private readonly RingReader<ulong> _fill;
    private readonly RingWriter<Descriptor> _rxCompletion;
    private readonly RingReader<Descriptor> _tx;
    private readonly RingWriter<ulong> _txCompletion;
    private readonly ulong* _rxEndOfStream;
    private readonly ulong* _txEndOfStream;
    private readonly BufferPool _pool;
    private readonly ulong[] _txReturn;

    private int _fillTaken;    // fill entries peeked by the last TakeRxBuffers
    private int _rxTakenGood;  // of which valid buffers handed out
    private int _txTaken;      // TX descriptors peeked by the last ReceiveTx
    private int _txReturnCount;

    internal DeviceQueue(int index, byte* regionBase, in Region.RegionGeometry geometry, BufferPool pool)
    {
        var offsets = geometry.QueuePair(index);
        int size = geometry.RingSize;
        string q = $"queue {index} ";
        _fill = new RingReader<ulong>(regionBase + offsets.RxFill, size, q + "RX fill");
        _rxCompletion = new RingWriter<Descriptor>(regionBase + offsets.RxCompletion, size, q + "RX completion");
        _tx = new RingReader<Descriptor>(regionBase + offsets.Tx, size, q + "TX");
        _txCompletion = new RingWriter<ulong>(regionBase + offsets.TxCompletion, size, q + "TX completion");
        byte* control = regionBase + offsets.Control;
        _rxEndOfStream = (ulong*)(control + QueueControlLayout.RxEndOfStreamOffset);
        _txEndOfStream = (ulong*)(control + QueueControlLayout.TxEndOfStreamOffset);
        GuestDoorbell = new Doorbell((uint*)(control + QueueControlLayout.GuestDoorbellOffset),
            (uint*)(control + QueueControlLayout.GuestNeedsWakeupOffset), (uint*)(control + QueueControlLayout.GuestMaySleepOffset));
        Sleeper = new DoorbellSleeper((uint*)(control + QueueControlLayout.DeviceDoorbellOffset),
            (uint*)(control + QueueControlLayout.DeviceNeedsWakeupOffset), (uint*)(control + QueueControlLayout.DeviceMaySleepOffset));
        _pool = pool;
        _txReturn = new ulong[size];
    }

    /// <summary>The guest's pool; <see cref="BufferPool.Payload"/> gives a packet's bytes.</summary>
    public BufferPool Pool => _pool;

    /// <summary>The guest's doorbell: rung after this queue publishes RX or TX completions or end of stream, when
    /// the guest sleeps. Interrupt coalescing is set on it.</summary>
    public Doorbell GuestDoorbell { get; }

    /// <summary>This queue's own doorbell, to sleep on when the guest gives it nothing to do.</summary>
    public DoorbellSleeper Sleeper { get; }

    /// <summary>Whether the guest has posted fill buffers.</summary>
    public bool HasFillBuffers => _fill.HasEntries;

    /// <summary>Whether TX packets are waiting, or the guest has marked TX end of stream.</summary>
    public bool HasTxWork => _tx.HasEntries || TryGetTxEndOfStream(out _);

    /// <summary>Fill entries dropped, by reason.</summary>
    public DropCounters FillDrops { get; } = new();

    /// <summary>TX descriptors dropped, by reason.</summary>
    public DropCounters TxDrops { get; } = new();

    /// <summary>RX completions posted in all: the total the end-of-stream mark carries.</summary>
    public ulong RxCompleted { get; private set; }

    /// <summary>TX descriptors consumed from the ring, good or dropped.</summary>
    public ulong TxConsumed { get; private set; }

    /// <summary>
    /// Takes up to <c>into.Length</c> guest buffers from the fill ring, each with its full capacity as length.
    /// Fill them, set each length with <see cref="Packet.WithLength"/>, and pass all of them to
    /// <see cref="CompleteRx"/>. Bad fill entries are dropped and counted in <see cref="FillDrops"/>.
    /// </summary>
    public int TakeRxBuffers(Span<Packet> into)
    {
        if (_fillTaken != 0)
            throw new InvalidOperationException("the previous RX buffers were not completed");
        int n = _fill.Peek(_rxCompletion.Reserve(into.Length));
        var slots = _fill.Slots;
        int good = 0;
        ulong poolLength = _pool.Length;
        for (int i = 0; i < n; i++)
        {
            ulong offset = slots[i]; // one read; only the copy is used
            if (_pool.CheckOffset(offset, 0, poolLength) is { } reason)
            {
                FillDrops.Count(reason);
                continue;
            }
            into[good++] = new Packet(offset, _pool.BufferSize);
        }
        _fillTaken = n;
        _rxTakenGood = good;
        return good;
    }

    /// <summary>Posts RX completions for every buffer the last <see cref="TakeRxBuffers"/> returned, in one burst.</summary>
    public void CompleteRx(ReadOnlySpan<Packet> filled)
    {
        if (filled.Length != _rxTakenGood)
            throw new InvalidOperationException($"complete all {_rxTakenGood} buffers taken, not {filled.Length}");
        // Release the fill slots before publishing the completions (their offsets were copied out already): a
        // guest that sees a completion then also sees room on the fill ring to recycle its buffer into. The other
        // order lets it find the fill ring full, keep the buffer, and go to sleep while this side starves.
        _fill.Release(_fillTaken);
        _fillTaken = 0;
        _rxTakenGood = 0;
        var slots = _rxCompletion.Slots;
        for (int i = 0; i < filled.Length; i++)
            slots.Set(i, new Descriptor(filled[i].Offset, (uint)filled[i].Length, DescriptorFlags.EndOfPacket));
        _rxCompletion.Submit(filled.Length);
        GuestDoorbell.Published(filled.Length);
        RxCompleted += (ulong)filled.Length;
    }

    /// <summary>Marks RX end of stream with <see cref="RxCompleted"/> as the final total.</summary>
    public void MarkRxEndOfStream()
    {
        // R3 (release): every RX completion and producer index published before is visible with the mark.
        // Pairs with A3 in GuestQueue.TryGetRxEndOfStream.
        Volatile.Write(ref *_rxEndOfStream, QueueControlLayout.EndOfStreamFlag | RxCompleted);
        GuestDoorbell.Flush();
    }

    /// <summary>
    /// Takes up to <c>into.Length</c> packets from the TX ring (no more than the TX completion ring has room for).
    /// Bad descriptors are dropped and counted in <see cref="TxDrops"/>; those whose buffer is valid still get
    /// their buffer back on completion, so nothing is lost. Call <see cref="CompleteTx"/> when done with them.
    /// </summary>
    public int ReceiveTx(Span<Packet> into)
    {
        if (_txTaken != 0)
            throw new InvalidOperationException("the previous TX packets were not completed");
        int n = _tx.Peek(_txCompletion.Reserve(into.Length));
        var slots = _tx.Slots;
        int good = 0, returned = 0;
        ulong poolLength = _pool.Length;
        for (int i = 0; i < n; i++)
        {
            Descriptor d = slots[i]; // one read; only the copy is used
            if (_pool.CheckOffset(d.BufferOffset, 0, poolLength) is { } reason)
            {
                TxDrops.Count(reason);
                continue;
            }
            _txReturn[returned++] = d.BufferOffset;
            if (d.Length > (uint)_pool.BufferSize)
                TxDrops.Count(DropReason.LengthTooLarge);
            else if ((d.Flags & DescriptorFlags.EndOfPacket) == 0)
                TxDrops.Count(DropReason.MissingEndOfPacket);
            else
                into[good++] = new Packet(d.BufferOffset, (int)d.Length);
        }
        _txTaken = n;
        _txReturnCount = returned;
        return good;
    }

    /// <summary>Returns every valid buffer the last <see cref="ReceiveTx"/> took on the TX completion ring, in one burst.</summary>
    public void CompleteTx()
    {
        // Release the TX slots before publishing the completions, as in CompleteRx: a guest that reaps a buffer
        // then also finds room on the TX ring to send it again.
        _tx.Release(_txTaken);
        TxConsumed += (ulong)_txTaken;
        var slots = _txCompletion.Slots;
        for (int i = 0; i < _txReturnCount; i++)
            slots.Set(i, _txReturn[i]);
        _txCompletion.Submit(_txReturnCount);
        GuestDoorbell.Published(_txReturnCount);
        _txTaken = _txReturnCount = 0;
    }

    /// <summary>Whether the driver has marked TX end of stream, and the total it posted.</summary>
    public bool TryGetTxEndOfStream(out ulong total)
    {
        // A4 (acquire): pairs with R4 in GuestQueue.MarkTxEndOfStream.
        ulong word = Volatile.Read(ref *_txEndOfStream);
        total = word & ~QueueControlLayout.EndOfStreamFlag;
        return (word & QueueControlLayout.EndOfStreamFlag) != 0;
    }
}
