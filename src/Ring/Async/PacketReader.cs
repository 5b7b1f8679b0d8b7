using System.Runtime.CompilerServices;
using Ring.Queues;
using Ring.Region;
using Ring.Rings;

namespace Ring.Async;

/// <summary>
/// Receives one queue pair's RX packets for async code, shaped like <c>ChannelReader&lt;T&gt;</c>.
/// <see cref="TryReceiveBurst"/> never blocks. <see cref="WaitToReceiveAsync"/> waits for packets on the queue's
/// doorbell without blocking the caller's thread. <see cref="ReadAllAsync"/> is the wait-then-drain loop, one
/// burst at a time.
/// </summary>
/// <remarks>
/// <para>
/// Design: the fast path checks the rings inline, as <c>ChannelReader.WaitToReadAsync</c> does. The slow path
/// passes the queue to a <see cref="DoorbellWaiter"/>, a dedicated thread that sleeps on the doorbell and then
/// completes one pooled wait operation, so a steady-state wait allocates nothing. The caller and the waiter
/// never touch the queue at the same time; the waiter's remarks give the hand-off and its happens-before edge.
/// </para>
/// <para>
/// Contract, as Channels has it: true means packets are waiting to receive. A true can be spurious, so a
/// receive after it may find nothing. False means the device marked RX end of stream and every completion it
/// posted has been received, so nothing more will come. A device that dies, or a region marked broken, before
/// end of stream is like a channel completed with an error: once the rings are drained, the wait fails with
/// that <see cref="RingException"/>. A cancelled token fails the wait with <see cref="OperationCanceledException"/>.
/// The waiter notices a cancel between sleeps, so this takes up to one sleep timeout (10 ms).
/// </para>
/// <para>
/// One consumer: one wait at a time, each awaited before the next, and nothing else may use the
/// <see cref="GuestQueue"/>'s RX side or its doorbell sleeper while a reader exists. The driver must have been started with
/// <c>maySleep: true</c>. Dispose the reader before the driver: the waiter thread reads the region until
/// <see cref="Dispose"/> returns.
/// </para>
/// </remarks>
public sealed class PacketReader : IDisposable, IAsyncDisposable
{
    /// <summary>Packets per burst of <see cref="ReadAllAsync"/> unless told otherwise (testpmd's default).</summary>
    public const int DefaultBurstSize = 32;

    private readonly GuestQueue _queue;
    private readonly Driver _driver;
    private readonly DoorbellWaiter _waiter;
    // A receive that began after the end-of-stream mark found the completion ring empty, so the stream is over.
    // This is true even if the device's total claims otherwise. Owned by whichever side holds the queue.
    private bool _drainedAfterEndOfStream;

    /// <summary>
    /// A reader over the RX side of <paramref name="driver"/>'s queue pair <paramref name="queueIndex"/>. It
    /// starts the reader's waiter thread. Throws <see cref="InvalidOperationException"/> when the driver was not
    /// started with <c>maySleep: true</c>, because without that the device never rings this side's doorbell.
    /// </summary>
    public PacketReader(Driver driver, int queueIndex = 0)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentOutOfRangeException.ThrowIfNegative(queueIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(queueIndex, driver.Geometry.QueuePairs);
        _queue = driver.Queue(queueIndex);
        if (!_queue.Sleeper.CanSleep)
            throw new InvalidOperationException(
                $"queue {queueIndex} cannot be read asynchronously: start the driver with Driver.Start(..., maySleep: true), " +
                "so that the device rings this side's doorbell");
        _driver = driver;
        _waiter = new DoorbellWaiter(_queue.Sleeper, ProbeReporting, HasWorkReporting, () => driver.CheckPeer(),
            $"queue {queueIndex} RX waiter");
    }

    /// <summary>The pool the packets live in; <see cref="BufferPool.Payload"/> gives their bytes.</summary>
    public BufferPool Pool => _queue.Pool;

    /// <summary>
    /// Receives up to <c>into.Length</c> packets, like <see cref="GuestQueue.ReceiveBurst"/>, and never blocks.
    /// Give the packets back with <see cref="Recycle"/>. A receive that finds nothing also posts any free RX
    /// buffers that were waiting for room on the fill ring, so they alone never wake a wait.
    /// </summary>
    public int TryReceiveBurst(Span<Packet> into)
    {
        try
        {
            return ReceiveBurst(into);
        }
        catch (RingProtocolException e)
        {
            _driver.Header.ReportViolation(e.Code);
            throw;
        }
    }

    /// <summary><see cref="Probe"/>, with a protocol violation it finds recorded in the header (NEEDS_RESET, so the
    /// device stops too) before it reaches the caller.</summary>
    private bool? ProbeReporting()
    {
        try
        {
            return Probe();
        }
        catch (RingProtocolException e)
        {
            _driver.Header.ReportViolation(e.Code);
            throw;
        }
    }

    /// <summary>The sleeper's re-check, reporting a protocol violation as <see cref="ProbeReporting"/> does.</summary>
    private bool HasWorkReporting()
    {
        try
        {
            return _queue.HasRxWork;
        }
        catch (RingProtocolException e)
        {
            _driver.Header.ReportViolation(e.Code);
            throw;
        }
    }

    private int ReceiveBurst(Span<Packet> into)
    {
        // Read before the receive (acquire): a mark seen here covers every completion this receive can find.
        bool endMarked = _queue.TryGetRxEndOfStream(out _);
        ulong consumed = _queue.RxCompletionsConsumed;
        int received = _queue.ReceiveBurst(into);
        if (_queue.RxCompletionsConsumed == consumed && !into.IsEmpty)
            ReceivedNothing(endMarked);
        return received;
    }

    /// <summary>Gives received packets back to the fill ring, in one burst; see <see cref="GuestQueue.Recycle"/>.</summary>
    public void Recycle(ReadOnlySpan<Packet> packets) => _queue.Recycle(packets);

    /// <summary>
    /// Waits until packets are waiting to receive (true), or until the device's RX end of stream has been received
    /// in full (false). It completes synchronously when either is already so. Otherwise the waiter thread sleeps
    /// on the doorbell. Without cancellation, a wait allocates nothing. Fails with <see cref="RingException"/>
    /// when the device died or the region broke before end of stream, and with
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public ValueTask<bool> WaitToReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_waiter.Stopping, this);
        if (cancellationToken.IsCancellationRequested)
            return ValueTask.FromCanceled<bool>(cancellationToken);
        try
        {
            if (ProbeReporting() is bool answer)
                return new ValueTask<bool>(answer);
        }
        catch (RingException e)
        {
            return ValueTask.FromException<bool>(e);
        }
        return _waiter.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Waits for packets and receives them until end of stream, in bursts of up to <paramref name="burstSize"/>
    /// packets. Each <see cref="PacketBurst"/> is valid until the next <c>MoveNextAsync</c>, which recycles its
    /// buffers onto the fill ring. A consumer that only iterates therefore keeps the device supplied with buffers.
    /// Ends when the device's end of stream has been received. Fails as <see cref="WaitToReceiveAsync"/> does.
    /// </summary>
    public async IAsyncEnumerable<PacketBurst> ReadAllAsync(int burstSize = DefaultBurstSize,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burstSize, 1);
        var packets = new Packet[burstSize];
        while (await WaitToReceiveAsync(cancellationToken).ConfigureAwait(false))
        {
            int n;
            while ((n = TryReceiveBurst(packets)) != 0)
            {
                try
                {
                    yield return new PacketBurst(packets, n, Pool);
                }
                finally
                {
                    Recycle(packets.AsSpan(0, n));
                }
            }
        }
    }

    /// <summary>Stops the waiter thread and waits for it. A pending wait fails with <see cref="ObjectDisposedException"/>.
    /// The queue and its packets stay the driver's.</summary>
    public void Dispose() => _waiter.Dispose();

    /// <summary>As <see cref="Dispose"/>, awaiting the waiter thread's exit instead of blocking on it.</summary>
    public ValueTask DisposeAsync() => _waiter.DisposeAsync();

    /// <summary>
    /// The wait's answer, read by whichever side holds the queue. True when completions are waiting, false at a
    /// drained end of stream, and null when there is nothing yet. It is true (spuriously, and only once) when
    /// the only work is free buffers waiting for fill room; the empty receive that follows posts them.
    /// </summary>
    private bool? Probe()
    {
        // The end-of-stream word first (acquire, A3 in GuestQueue.TryGetRxEndOfStream). Every completion the
        // device posted before the mark is visible after it, so once all of those are consumed, no more can come.
        if (_queue.TryGetRxEndOfStream(out ulong total))
            return _queue.RxCompletionsConsumed < total && !_drainedAfterEndOfStream;
        return _queue.HasRxWork ? true : null;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReceivedNothing(bool endMarked)
    {
        _drainedAfterEndOfStream |= endMarked;
        _queue.PostFill();
    }
}
