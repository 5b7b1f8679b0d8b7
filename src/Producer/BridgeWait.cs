using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Producer;

/// <summary>
/// How the TAP bridge sleeps in event mode: until the kernel has a frame for the guest, the guest has sent one, a fill
/// buffer came back after the bridge ran out, a stop was asked for, or a timeout passed; whichever comes first.
/// </summary>
/// <remarks>
/// Design: the TAP is a file descriptor, which epoll waits on. The ring's doorbell is a futex word in the shared
/// region, which epoll cannot wait on, and the library sleeps on it only inside <see cref="QueuePair.Idle(int, TimeSpan)"/>
/// or, for its asynchronous waits, on a thread of its own (the queue side's waiter). So the bridge sleeps in epoll,
/// on the TAP and on an eventfd, and leaves the futex to the library's waiter thread: going idle, it starts the
/// reader's <see cref="PacketReader.WaitToReceiveAsync"/> (a TX frame, or the end of the guest's stream) and, when it
/// ran out of fill buffers, the writer's <see cref="PacketWriter.WaitToSendAsync"/>; each completion signals the
/// eventfd. While it has no fill buffer it stops watching the TAP (epoll is level-triggered: a waiting frame would
/// wake it at once, with nowhere to put the frame). Nothing polls: the bridge wakes every <c>timeout</c> (100 ms) to
/// look at the clock, the waiter thread every 10 ms to look at the guest, as any event-mode side does.
/// <para>While a wait is pending its half belongs to the waiter thread, so the bridge leaves that half alone
/// (<see cref="Receiving"/>, <see cref="Filling"/>) until the wait completes; the queue pair's
/// <see cref="QueuePair.Idle(int, TimeSpan)"/> is never called once a wait has begun (the two styles cannot share a
/// doorbell). The price is the hops on the way from the doorbell to the bridge: the waiter thread wakes, the thread
/// pool runs the continuation, which signals the eventfd, and the bridge wakes.</para>
/// </remarks>
internal sealed class BridgeWait : IDisposable
{
    private readonly PacketReader _reader;
    private readonly PacketWriter _writer;
    private readonly int _tapFd;
    private readonly Epoll _epoll = new(capacity: 2);
    private readonly EventFd _ringReady = new();
    private readonly Action _signal;
    private readonly CancellationToken _stop;
    private readonly CancellationTokenRegistration _stopRegistration;
    private readonly Lock _gate = new();
    private ValueTask<bool> _receiveWait;
    private ValueTask<bool> _fillWait;
    private bool _tapWatched = true;
    private bool _disposed;

    /// <summary>Waits on <paramref name="tap"/> and on the queue pair's <paramref name="reader"/> and
    /// <paramref name="writer"/>; <paramref name="stop"/> ends a sleep.</summary>
    public BridgeWait(TapDevice tap, PacketReader reader, PacketWriter writer, CancellationToken stop)
    {
        _reader = reader;
        _writer = writer;
        _tapFd = tap.FileDescriptor;
        _epoll.Add(_tapFd);
        _epoll.Add(_ringReady.FileDescriptor);
        _signal = Signal;
        _stop = stop;
        _stopRegistration = stop.UnsafeRegister(static state => ((BridgeWait)state!).Signal(), this);
    }

    /// <summary>Whether a wait to receive is pending: the reader is the waiter thread's until it completes.</summary>
    public bool Receiving { get; private set; }

    /// <summary>Whether a wait for a fill buffer is pending: the writer is the waiter thread's until it completes.</summary>
    public bool Filling { get; private set; }

    /// <summary>
    /// Sleeps until there may be work, or <paramref name="timeout"/>: a frame in the TAP (when
    /// <paramref name="watchTap"/>), a TX frame or the end of the guest's stream (when <paramref name="receive"/>),
    /// a fill buffer (when <paramref name="fill"/>), or the stop. Returns at once when a wait it starts is answered
    /// at once. Throws the <see cref="RingException"/> a wait ended with (the guest died or failed), and
    /// <see cref="RunFailedException"/> when the guest left while the bridge waited for fill buffers.
    /// </summary>
    public void Wait(bool watchTap, bool receive, bool fill, TimeSpan timeout)
    {
        if (receive && !Receiving)
        {
            var wait = _reader.WaitToReceiveAsync();
            if (wait.IsCompleted)
            {
                wait.GetAwaiter().GetResult(); // false: the stream ended, which the reader's completion says
                return;
            }
            Pend(wait, ref _receiveWait);
            Receiving = true;
        }
        if (fill && !Filling)
        {
            // Cancelled by the stop, so the writer comes back to the bridge to end its stream.
            var wait = _writer.WaitToSendAsync(_stop);
            if (wait.IsCompleted)
            {
                FillAnswered(wait);
                return;
            }
            Pend(wait, ref _fillWait);
            Filling = true;
        }
        if (watchTap != _tapWatched)
        {
            _epoll.Modify(_tapFd, watchTap ? EpollEvents.Readable : EpollEvents.None);
            _tapWatched = watchTap;
        }
        Span<EpollReady> ready = stackalloc EpollReady[2];
        _epoll.Wait(ready, timeout);
        _ringReady.Consume();
        if (Receiving && _receiveWait.IsCompleted)
        {
            Receiving = false;
            _receiveWait.GetAwaiter().GetResult();
        }
        if (Filling && _fillWait.IsCompleted)
        {
            Filling = false;
            FillAnswered(_fillWait);
        }
    }

    /// <summary>Keeps <paramref name="wait"/> in <paramref name="pending"/> and has it signal the eventfd when it completes.</summary>
    private void Pend(ValueTask<bool> wait, ref ValueTask<bool> pending)
    {
        pending = wait;
        wait.GetAwaiter().UnsafeOnCompleted(_signal);
    }

    /// <summary>Observes a completed fill wait: a buffer came, or the stop cancelled it; false means the guest left.</summary>
    private void FillAnswered(ValueTask<bool> wait)
    {
        try
        {
            if (!wait.GetAwaiter().GetResult())
                throw new RunFailedException("the consumer left while the bridge waited for fill buffers", ExitCodes.PeerLost);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: the writer is the bridge's again, to end the stream.
        }
    }

    /// <summary>Wakes the sleep; a no-op once disposed (a wait may complete after the bridge is gone).</summary>
    private void Signal()
    {
        lock (_gate)
        {
            if (!_disposed)
                _ringReady.Signal();
        }
    }

    /// <summary>Closes the epoll set and the eventfd; a wait still pending completes into nothing.</summary>
    public void Dispose()
    {
        _stopRegistration.Dispose();
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
        }
        _epoll.Dispose();
        _ringReady.Dispose();
    }
}
