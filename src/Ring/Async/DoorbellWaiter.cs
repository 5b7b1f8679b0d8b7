using System.Threading.Tasks.Sources;
using Ring.Doorbells;
using Ring.Waiting;

namespace Ring.Async;

/// <summary>
/// The slow path of <see cref="PacketReader.WaitToReceiveAsync"/>: one background thread that sleeps on a queue's
/// doorbell for the caller, and the one reusable wait operation it completes.
/// </summary>
/// <remarks>
/// Design: a doorbell is a futex, and a futex wait blocks a thread, so the reader keeps one thread of its own
/// that does the blocking for it. Between waits that thread blocks on a semaphore. <see cref="WaitAsync"/> hands
/// the queue over by releasing the semaphore and returns a <see cref="ValueTask{TResult}"/> backed by this
/// object. The waiter thread then probes the queue and sleeps on the doorbell in
/// <see cref="DoorbellWait.DefaultTimeout"/> steps (<see cref="DoorbellSleeper.Sleep"/> runs the announce,
/// re-check and futex protocol) until the probe gives an answer, cancellation is requested, the reader is
/// disposed, or the peer turns out to be gone. It then completes the operation.
///
/// Only one thread touches the queue at a time. Until the operation completes, the caller is awaiting and does
/// not touch the queue. After the completion, only the caller touches it: the waiter is back on its semaphore.
/// Each hand-off has a happens-before edge. To the waiter: the semaphore's Release happens before its Wait
/// returns. Back to the caller: the task completion. The waiter's last queue access happens before
/// <c>SetResult</c>, and the caller's continuation runs only after it observes that completion. Channels'
/// <c>AsyncOperation</c> also completes on another thread, but this completion must come from the waiter
/// thread, never from a cancellation callback. A callback could complete the wait while the waiter was still
/// inside <c>Sleep</c>, and then both threads would touch the queue. So the waiter checks the token between
/// sleeps, and cancellation takes effect within one sleep timeout. Because no callback is registered, cancellable
/// waits allocate nothing either.
///
/// The operation is a <see cref="ManualResetValueTaskSourceCore{TResult}"/> that is reset for every wait, like the
/// pooled singleton of <c>SingleConsumerUnboundedChannel</c>. Continuations always run asynchronously, so the
/// caller's code never runs on the waiter thread. In steady state a wait allocates nothing.
/// </remarks>
internal sealed class DoorbellWaiter : IValueTaskSource<bool>, IDisposable, IAsyncDisposable
{
    private const int Idle = 0, Waiting = 1;

    private readonly DoorbellSleeper _sleeper;
    private readonly Func<bool?> _probe;
    private readonly Action _checkPeer;
    private readonly Func<bool> _sleepUnless;
    private readonly SemaphoreSlim _requested = new(0);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;

    // Mutable struct, so not readonly. Reset by the caller (it holds the queue then), completed by the waiter.
    private ManualResetValueTaskSourceCore<bool> _operation = new() { RunContinuationsAsynchronously = true };
    // Written by the caller before it releases the semaphore and read by the waiter after its Wait returns, so
    // the semaphore orders it. Plain field.
    private CancellationToken _cancellationToken;
    private int _state;
    private int _disposeStarted;
    // Set once, by Dispose. volatile: the waiter's loop must see it within one sleep, without any other edge.
    private volatile bool _stopping;

    /// <summary>
    /// A waiter, with its thread started, for the side that sleeps on <paramref name="sleeper"/>.
    /// <paramref name="probe"/> returns the wait's answer, or null when there is nothing yet.
    /// <paramref name="hasWork"/> is the sleeper's re-check. <paramref name="checkPeer"/> throws when the peer is
    /// gone, and it runs after every sleep that times out.
    /// </summary>
    public DoorbellWaiter(DoorbellSleeper sleeper, Func<bool?> probe, Func<bool> hasWork, Action checkPeer, string name)
    {
        _sleeper = sleeper;
        _probe = probe;
        _checkPeer = checkPeer;
        _sleepUnless = () => hasWork() || _stopping || _cancellationToken.IsCancellationRequested;
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Whether <see cref="Dispose"/> has begun: no more waits are taken.</summary>
    public bool Stopping => _stopping;

    /// <summary>Hands the queue to the waiter thread until the returned wait completes. Only one wait at a time.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping, typeof(PacketReader));
        // A5 (full fence, the CAS): claims the operation. Pairs with R5 in Serve: the previous wait's SetResult
        // came after the waiter had finished with the queue.
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
            throw new InvalidOperationException("a wait is already pending: a PacketReader has one consumer, which awaits each wait before the next");
        _operation.Reset();
        _cancellationToken = cancellationToken;
        _requested.Release();
        return new ValueTask<bool>(this, _operation.Version);
    }

    /// <summary>Stops the waiter thread and waits until it has exited. A pending wait fails with
    /// <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (BeginStop())
        {
            _thread.Join();
            _requested.Dispose();
        }
    }

    /// <summary>As <see cref="Dispose"/>, without blocking the caller while the thread finishes its last sleep.</summary>
    public async ValueTask DisposeAsync()
    {
        if (BeginStop())
        {
            await _exited.Task.ConfigureAwait(false);
            _requested.Dispose();
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _operation.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _operation.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _operation.OnCompleted(continuation, state, token, flags);

    private bool BeginStop()
    {
        if (Interlocked.Exchange(ref _disposeStarted, 1) != 0)
            return false;
        _stopping = true;
        _requested.Release();
        return true;
    }

    private void Run()
    {
        try
        {
            do
            {
                _requested.Wait();
                if (Volatile.Read(ref _state) == Waiting)
                    Serve();
            } while (!_stopping);
        }
        finally
        {
            _exited.SetResult();
        }
    }

    /// <summary>Runs one wait to its end and completes the operation. Runs on the waiter thread, which holds the
    /// queue until the completion.</summary>
    private void Serve()
    {
        bool ready = false;
        Exception? error = null;
        try
        {
            ready = SleepUntilAnswered();
        }
        catch (Exception e)
        {
            error = e;
        }
        // R5 (release): the waiter is done with the queue. Idle is published before the completion, so a caller
        // that sees the completion can start its next wait at once. Pairs with A5 in WaitAsync.
        Volatile.Write(ref _state, Idle);
        if (error is null)
            _operation.SetResult(ready);
        else
            _operation.SetException(error);
    }

    private bool SleepUntilAnswered()
    {
        long timeouts = _sleeper.Timeouts;
        while (true)
        {
            ObjectDisposedException.ThrowIf(_stopping, typeof(PacketReader));
            _cancellationToken.ThrowIfCancellationRequested();
            if (_probe() is bool answer)
                return answer;
            if (_sleeper.Timeouts != timeouts)
            {
                // A whole sleep went by without a doorbell. Check that the peer that would ring it still exists.
                timeouts = _sleeper.Timeouts;
                _checkPeer();
            }
            _sleeper.Sleep(_sleepUnless, DoorbellWait.DefaultTimeout);
        }
    }
}
