using System.Runtime.CompilerServices;
using Ring.Doorbells;
using Ring.Layout;
using Ring.Rings;

namespace Ring.Queues;

/// <summary>
/// The driver's (guest's) side of one queue pair: it posts free RX buffers on the fill ring, receives packets
/// from the RX completion ring, sends on the TX ring and reaps the TX completion ring. Work moves in bursts, and
/// each burst publishes each ring's index once.
/// </summary>
/// <remarks>
/// Design: the queue owns one ring's worth of RX buffers and one of TX buffers, contiguous in the pool. It tracks
/// every buffer's state (free here, posted to the device, held by the application), so a completion the device
/// forges or repeats is caught and dropped rather than handing the application a buffer twice, and so the
/// buffers are conserved: each is in exactly one state at all times. Descriptors are copied out of the ring
/// once, validated, and only the copy is used. Not thread-safe: one thread per queue pair.
/// </remarks>
public sealed unsafe class GuestQueue
{
    private const byte Free = 0, Posted = 1, Held = 2;

    private readonly RingWriter<ulong> _fill;
    private readonly RingReader<Descriptor> _rxCompletion;
    private readonly RingWriter<Descriptor> _tx;
    private readonly RingReader<ulong> _txCompletion;
    private readonly ulong* _rxEndOfStream;
    private readonly ulong* _txEndOfStream;
    private readonly BufferPool _pool;

    private readonly ulong _rxFirst;    // pool offset of this queue's first RX buffer
    private readonly ulong _txFirst;    // pool offset of its first TX buffer
    private readonly ulong _sideLength; // bytes of RX buffers (= bytes of TX buffers)
    private readonly byte[] _state;     // per buffer, RX then TX, indexed by (offset - _rxFirst) >> shift
    private readonly ulong[] _rxFree;
    private readonly ulong[] _txFree;
    private int _rxFreeCount;
    private int _txFreeCount;
    private int _txPostedCount;

    internal GuestQueue(int index, byte* regionBase, in Region.RegionGeometry geometry, BufferPool pool)
    {
        var offsets = geometry.QueuePair(index);
        int size = geometry.RingSize;
        string q = $"queue {index} ";
        _fill = new RingWriter<ulong>(regionBase + offsets.RxFill, size, q + "RX fill");
        _rxCompletion = new RingReader<Descriptor>(regionBase + offsets.RxCompletion, size, q + "RX completion");
        _tx = new RingWriter<Descriptor>(regionBase + offsets.Tx, size, q + "TX");
        _txCompletion = new RingReader<ulong>(regionBase + offsets.TxCompletion, size, q + "TX completion");
        byte* control = regionBase + offsets.Control;
        _rxEndOfStream = (ulong*)(control + QueueControlLayout.RxEndOfStreamOffset);
        _txEndOfStream = (ulong*)(control + QueueControlLayout.TxEndOfStreamOffset);
        DeviceDoorbell = new Doorbell((uint*)(control + QueueControlLayout.DeviceDoorbellOffset),
            (uint*)(control + QueueControlLayout.DeviceNeedsWakeupOffset), (uint*)(control + QueueControlLayout.DeviceMaySleepOffset));
        Sleeper = new DoorbellSleeper((uint*)(control + QueueControlLayout.GuestDoorbellOffset),
            (uint*)(control + QueueControlLayout.GuestNeedsWakeupOffset), (uint*)(control + QueueControlLayout.GuestMaySleepOffset));
        _pool = pool;

        _sideLength = (ulong)size * (ulong)pool.BufferSize;
        _rxFirst = (ulong)index * 2 * _sideLength;
        _txFirst = _rxFirst + _sideLength;
        _state = new byte[2 * size];
        _rxFree = new ulong[size];
        _txFree = new ulong[size];
        for (int i = 0; i < size; i++)
        {
            _rxFree[i] = _rxFirst + (ulong)i * (ulong)pool.BufferSize;
            _txFree[i] = _txFirst + (ulong)i * (ulong)pool.BufferSize;
        }
        _rxFreeCount = _txFreeCount = size;
    }

    /// <summary>The pool the packets live in; <see cref="BufferPool.Payload"/> gives their bytes.</summary>
    public BufferPool Pool => _pool;

    /// <summary>The device's doorbell: rung after this queue publishes fill buffers, TX packets or end of stream,
    /// when the device sleeps.</summary>
    public Doorbell DeviceDoorbell { get; }

    /// <summary>This queue's own doorbell, to sleep on when there is nothing to receive or reap.</summary>
    public DoorbellSleeper Sleeper { get; }

    /// <summary>Whether RX completions are waiting, the device has marked RX end of stream, or free RX buffers
    /// wait for room on the fill ring that has appeared.</summary>
    public bool HasRxWork =>
        _rxCompletion.HasEntries || TryGetRxEndOfStream(out _) || (_rxFreeCount != 0 && _fill.Reserve(1) != 0);

    /// <summary>Whether the TX ring has room for at least one packet.</summary>
    public bool HasTxRoom => _tx.Reserve(1) != 0;

    /// <summary>Whether TX completions are waiting to be reaped.</summary>
    public bool HasTxCompletions => _txCompletion.HasEntries;

    /// <summary>RX completions dropped, by reason.</summary>
    public DropCounters RxDrops { get; } = new();

    /// <summary>TX completions dropped, by reason.</summary>
    public DropCounters TxCompletionDrops { get; } = new();

    /// <summary>RX completions consumed from the ring, good or dropped: what the device's end-of-stream total counts.</summary>
    public ulong RxCompletionsConsumed { get; private set; }

    /// <summary>TX descriptors posted in all.</summary>
    public ulong TxPosted { get; private set; }

    /// <summary>TX buffers with the device, not yet reaped.</summary>
    public int TxInFlight => _txPostedCount;

    /// <summary>TX buffers free to allocate.</summary>
    public int TxFree => _txFreeCount;

    /// <summary>Posts every free RX buffer that fits on the fill ring, in one burst.</summary>
    public int PostFill()
    {
        if (_rxFreeCount == 0)
            return 0; // nothing to post: leave the shared index (and the device's cached copy of its line) alone
        int n = _fill.Reserve(_rxFreeCount);
        for (int i = 0; i < n; i++)
        {
            ulong offset = _rxFree[--_rxFreeCount];
            _state[StateIndex(offset)] = Posted;
            _fill.Set(i, offset);
        }
        _fill.Submit(n);
        DeviceDoorbell.Published(n);
        return n;
    }

    /// <summary>
    /// Receives up to <c>into.Length</c> packets (like <c>rte_eth_rx_burst</c>). Bad descriptors are dropped and
    /// counted in <see cref="RxDrops"/>. The caller holds the returned buffers until it gives them to
    /// <see cref="Recycle"/>. Never blocks.
    /// </summary>
    public int ReceiveBurst(Span<Packet> into)
    {
        int n = _rxCompletion.Peek(into.Length);
        if (n == 0)
            return 0;
        var slots = _rxCompletion.Slots;
        byte[] states = _state;
        ulong first = _rxFirst, sideLength = _sideLength, offsetMask = (ulong)(_pool.BufferSize - 1);
        uint bufferSize = (uint)_pool.BufferSize;
        int shift = _pool.BufferShift;
        int received = 0;
        for (int i = 0; i < n; i++)
        {
            Descriptor d = slots[i]; // the one read of this slot; only the copy is used below
            ulong relative = d.BufferOffset - first;
            if (relative >= sideLength
                | (relative & offsetMask) != 0
                | d.Length > bufferSize
                | (d.Flags & DescriptorFlags.EndOfPacket) == 0)
            {
                DropRxCompletion(d);
                continue;
            }
            ref byte state = ref states[(int)(relative >> shift)];
            if (state != Posted)
            {
                RxDrops.Count(DropReason.BufferNotPosted);
                continue;
            }
            state = Held;
            into[received++] = new Packet(d.BufferOffset, (int)d.Length);
        }
        _rxCompletion.Release(n);
        RxCompletionsConsumed += (ulong)n;
        return received;
    }

    /// <summary>Gives received buffers back: straight onto the fill ring, in one burst. Throws, changing nothing,
    /// when a packet is not an RX buffer the application holds.</summary>
    public void Recycle(ReadOnlySpan<Packet> packets)
    {
        int n = _fill.Reserve(packets.Length);
        var slots = _fill.Slots;
        byte[] states = _state;
        ulong first = _rxFirst, sideLength = _sideLength;
        int shift = _pool.BufferShift;
        for (int i = 0; i < packets.Length; i++)
        {
            ulong offset = packets[i].Offset;
            ulong relative = offset - first;
            if (relative >= sideLength || states[(int)(relative >> shift)] != Held)
            {
                UndoRecycle(packets[..i], n);
                ThrowNotHeld(offset);
            }
            ref byte state = ref states[(int)(relative >> shift)];
            if (i < n)
            {
                state = Posted;
                slots.Set(i, offset);
            }
            else
            {
                state = Free;
                _rxFree[_rxFreeCount++] = offset;
            }
        }
        _fill.Submit(n);
        DeviceDoorbell.Published(n);
        if (_rxFreeCount != 0 && n == packets.Length)
            PostFill();
    }

    /// <summary>Takes up to <c>into.Length</c> free TX buffers, each sized for <paramref name="length"/> bytes.</summary>
    public int AllocateTx(Span<Packet> into, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, _pool.BufferSize);
        int n = Math.Min(into.Length, _txFreeCount);
        for (int i = 0; i < n; i++)
        {
            ulong offset = _txFree[--_txFreeCount];
            _state[StateIndex(offset)] = Held;
            into[i] = new Packet(offset, length);
        }
        return n;
    }

    /// <summary>
    /// Posts packets on the TX ring (like <c>rte_eth_tx_burst</c>): as many as fit, in order, in one burst.
    /// Returns how many were posted; the rest are still the caller's. Throws, changing nothing, when a packet is
    /// not a TX buffer the application holds.
    /// </summary>
    public int SendBurst(ReadOnlySpan<Packet> packets)
    {
        int n = _tx.Reserve(packets.Length);
        var slots = _tx.Slots;
        byte[] states = _state;
        for (int i = 0; i < n; i++)
        {
            Packet p = packets[i];
            if (p.Offset - _txFirst >= _sideLength || states[StateIndex(p.Offset)] != Held)
            {
                UndoSend(packets[..i]);
                ThrowNotHeld(p.Offset);
            }
            states[StateIndex(p.Offset)] = Posted;
            slots.Set(i, new Descriptor(p.Offset, (uint)p.Length, DescriptorFlags.EndOfPacket));
        }
        _tx.Submit(n);
        DeviceDoorbell.Published(n);
        _txPostedCount += n;
        TxPosted += (ulong)n;
        return n;
    }

    /// <summary>Reaps TX completions: the buffers the device is done with become free to allocate. Returns how many.</summary>
    public int ReapTxCompletions()
    {
        int n = _txCompletion.Peek(_txCompletion.Size);
        if (n == 0)
            return 0;
        var slots = _txCompletion.Slots;
        int reaped = 0;
        for (int i = 0; i < n; i++)
        {
            ulong offset = slots[i]; // one read; the copy is validated, then used
            var reason = _pool.CheckOffset(offset, _txFirst, _sideLength);
            if (reason is { } r)
            {
                TxCompletionDrops.Count(r);
                continue;
            }
            ref byte state = ref _state[StateIndex(offset)];
            if (state != Posted)
            {
                TxCompletionDrops.Count(DropReason.BufferNotPosted);
                continue;
            }
            state = Free;
            _txFree[_txFreeCount++] = offset;
            reaped++;
        }
        _txCompletion.Release(n);
        _txPostedCount -= reaped;
        return reaped;
    }

    /// <summary>Whether the device has marked RX end of stream, and the total RX completions it posted.</summary>
    public bool TryGetRxEndOfStream(out ulong total)
    {
        // A3 (acquire): the device's completions published before its end-of-stream mark are visible after it.
        // Pairs with R3 in DeviceQueue.MarkRxEndOfStream.
        ulong word = Volatile.Read(ref *_rxEndOfStream);
        total = word & ~QueueControlLayout.EndOfStreamFlag;
        return (word & QueueControlLayout.EndOfStreamFlag) != 0;
    }

    /// <summary>Marks TX end of stream: the driver will post no more than <see cref="TxPosted"/> descriptors.</summary>
    public void MarkTxEndOfStream()
    {
        // R4 (release): every TX descriptor and producer index published before is visible with the mark.
        // Pairs with A4 in DeviceQueue.TryGetTxEndOfStream.
        Volatile.Write(ref *_txEndOfStream, QueueControlLayout.EndOfStreamFlag | TxPosted);
        DeviceDoorbell.Flush();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int StateIndex(ulong offset) => (int)((offset - _rxFirst) >> _pool.BufferShift);

    /// <summary>Puts back what a <see cref="Recycle"/> that found a bad packet had done to the ones before it:
    /// the unsubmitted fill slots are simply not published.</summary>
    private void UndoRecycle(ReadOnlySpan<Packet> done, int reserved)
    {
        foreach (var p in done)
            _state[StateIndex(p.Offset)] = Held;
        _rxFreeCount -= Math.Max(0, done.Length - reserved);
    }

    /// <summary>Puts back what a <see cref="SendBurst"/> that found a bad packet had done to the ones before it.</summary>
    private void UndoSend(ReadOnlySpan<Packet> done)
    {
        foreach (var p in done)
            _state[StateIndex(p.Offset)] = Held;
    }

    private void DropRxCompletion(in Descriptor d)
    {
        var reason = _pool.CheckOffset(d.BufferOffset, _rxFirst, _sideLength);
        if (reason is { } r)
        {
            RxDrops.Count(r); // not one of our buffers: nothing to give back
            return;
        }
        RxDrops.Count(d.Length > (uint)_pool.BufferSize ? DropReason.LengthTooLarge : DropReason.MissingEndOfPacket);
        ref byte state = ref _state[StateIndex(d.BufferOffset)];
        if (state == Posted) // our buffer with a bad length or flags: take it back, nothing is lost
        {
            state = Free;
            _rxFree[_rxFreeCount++] = d.BufferOffset;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotHeld(ulong offset) =>
        throw new InvalidOperationException($"buffer at pool offset {offset} is not held by the application");
}
