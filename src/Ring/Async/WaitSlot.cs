using System.Threading.Tasks.Sources;

namespace Ring.Async;

/// <summary>
/// One kind of asynchronous wait on a queue side (waiting to receive, or waiting to send): its probe, and the one
/// reusable operation the <see cref="AsyncWaiter"/> completes, as Channels' pooled <c>AsyncOperation</c>, so a
/// steady-state wait allocates nothing.
/// </summary>
/// <remarks>
/// The probe runs on whichever thread holds the half it looks at: the caller's for the synchronous fast path, the
/// waiter thread's while the caller awaits. It returns true (ready), false (never: the stream ended), or null
/// (nothing yet), and throws the <see cref="RingException"/> that ends the wait when the peer is gone.
/// </remarks>
internal sealed class WaitSlot(Func<bool?> probe, string what) : IValueTaskSource<bool>
{
    private const int Idle = 0, Pending = 1;

    // Mutable struct, so not readonly. Reset by the caller before it hands the slot over, completed by the waiter.
    private ManualResetValueTaskSourceCore<bool> _operation = new() { RunContinuationsAsynchronously = true };
    private int _state;

    /// <summary>The wait's answer now, on the thread that holds the half.</summary>
    public Func<bool?> Probe { get; } = probe;

    /// <summary>The caller's token, written before the slot is handed over (ordered by the hand-over's fence).</summary>
    public CancellationToken CancellationToken { get; private set; }

    /// <summary>Whether a wait is outstanding.</summary>
    public bool IsPending => Volatile.Read(ref _state) == Pending;

    /// <summary>Claims the slot for a new wait; throws when one is outstanding (one wait at a time, as the
    /// single-reader channels have it).</summary>
    public ValueTask<bool> Begin(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _state) != Idle)
            throw new InvalidOperationException($"another {what} is outstanding: await each before starting the next");
        _operation.Reset();
        CancellationToken = cancellationToken;
        // Full fence: the reset and the token are visible to the waiter thread before it sees the slot pending.
        Interlocked.Exchange(ref _state, Pending);
        return new ValueTask<bool>(this, _operation.Version);
    }

    /// <summary>Completes the wait with <paramref name="result"/> (on the waiter thread).</summary>
    public void Complete(bool result)
    {
        // Release: the waiter's last look at the half happens before the slot is idle again, and that before the
        // continuation runs, which hands the half back to the caller.
        Volatile.Write(ref _state, Idle);
        _operation.SetResult(result);
    }

    /// <summary>Fails the wait with <paramref name="error"/> (on the waiter thread).</summary>
    public void Fail(Exception error)
    {
        Volatile.Write(ref _state, Idle);
        _operation.SetException(error);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _operation.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _operation.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _operation.OnCompleted(continuation, state, token, flags);
}
