using Ring.Doorbells;
using Ring.Waiting;

namespace Ring.Async;

/// <summary>
/// The slow path of the asynchronous waits on one queue side: one background thread that sleeps on the side's
/// doorbell for the callers and completes their <see cref="WaitSlot"/>s.
/// </summary>
/// <remarks>
/// Design: a doorbell is a futex, and a futex wait blocks a thread, so each side keeps one thread that does the
/// blocking for every wait on it: a reader's <c>WaitToReceiveAsync</c> and a writer's <c>WaitToSendAsync</c> may be
/// outstanding at once, on different tasks. Between waits the thread blocks on a semaphore. A caller hands its
/// half over by making its slot pending and releasing the semaphore; the thread then runs each pending slot's
/// probe and idles as the side's wait mode says (spins in poll mode, sleeps on the doorbell in
/// <see cref="DoorbellWait.Timeout"/> steps in event mode, both in hybrid) until a probe answers, a token is
/// cancelled, or the waiter is disposed. The sleeper's re-check is "does any pending probe have an
/// answer", so a wait registered before the thread announces its sleep is covered by the announcement. One
/// registered after it wakes the sleep itself (<see cref="DoorbellSleeper.WakeSelf"/>): the caller marks its slot
/// pending (a full fence) and then reads <see cref="_sleeping"/>; the thread sets <see cref="_sleeping"/> (a full
/// fence) before it announces and re-checks. By Dekker's argument either the re-check sees the slot or the caller
/// sees the thread asleep and wakes it.
///
/// Only one thread touches a half at a time: until its slot completes the caller awaits and leaves the half alone;
/// after the completion only the caller touches it. The hand-overs are ordered by the slot's state (see
/// <see cref="WaitSlot"/>). A cancellation is noticed between sleeps, so it takes up to one timeout (10 ms), and
/// no callback is registered, so cancellable waits allocate nothing either.
/// </remarks>
internal sealed class AsyncWaiter : IDisposable
{
    private readonly DoorbellSleeper _sleeper;
    private readonly WaitSlot[] _slots;
    private readonly Action _checkPeer;
    private readonly IIdleStrategy _idle;
    private readonly PeerCheckClock _peerClock = new();
    private readonly SemaphoreSlim _requested = new(0);
    private readonly Thread _thread;
    private int _sleeping;
    private volatile bool _stopping;

    /// <summary>A waiter with its thread started, idling as <paramref name="mode"/> says. <paramref name="checkPeer"/>
    /// runs every <see cref="PeerCheckClock.Interval"/> while a wait is pending (the probes then see what it found).</summary>
    public AsyncWaiter(WaitMode mode, TimeSpan pollBudget, DoorbellSleeper sleeper, WaitSlot[] slots, Action checkPeer, string name)
    {
        _sleeper = sleeper;
        _slots = slots;
        _checkPeer = checkPeer;
        _idle = IdleStrategies.Create(mode, sleeper, AnyAnswer, pollBudget);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>Hands <paramref name="slot"/>'s half to the waiter thread until the returned wait completes.</summary>
    public ValueTask<bool> WaitAsync(WaitSlot slot, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var wait = slot.Begin(cancellationToken); // full fence: pending before _sleeping is read
        if (Volatile.Read(ref _sleeping) != 0)
            _sleeper.WakeSelf();
        _requested.Release();
        return wait;
    }

    /// <summary>Stops the thread and waits for it; pending waits fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_stopping)
            return;
        _stopping = true;
        _sleeper.WakeSelf();
        _requested.Release();
        _thread.Join();
        _requested.Dispose();
    }

    private void Run()
    {
        while (!_stopping)
        {
            _requested.Wait();
            ServePending();
        }
        foreach (var slot in _slots)
            if (slot.IsPending)
                slot.Fail(new ObjectDisposedException("queue pair"));
    }

    /// <summary>Answers pending slots, sleeping between looks, until none is pending.</summary>
    private void ServePending()
    {
        while (!_stopping)
        {
            bool anyPending = false;
            foreach (var slot in _slots)
                anyPending |= slot.IsPending && !TryAnswer(slot);
            if (!anyPending)
                return;
            Interlocked.Exchange(ref _sleeping, 1); // full fence: see the remarks
            bool slept = _idle.Idle(0, TimeSpan.MaxValue);
            Volatile.Write(ref _sleeping, 0);
            if (_peerClock.Due(slept))
                _checkPeer();
        }
    }

    /// <summary>Completes <paramref name="slot"/> if it has an answer (or was cancelled); returns whether it did.</summary>
    private static bool TryAnswer(WaitSlot slot)
    {
        try
        {
            slot.CancellationToken.ThrowIfCancellationRequested();
            if (slot.Probe() is not bool answer)
                return false;
            slot.Complete(answer);
        }
        catch (Exception e)
        {
            slot.Fail(e);
        }
        return true;
    }

    /// <summary>The sleeper's re-check: whether any pending slot has an answer, or needs the thread awake.</summary>
    private bool AnyAnswer()
    {
        if (_stopping)
            return true;
        foreach (var slot in _slots)
        {
            if (!slot.IsPending)
                continue;
            if (slot.CancellationToken.IsCancellationRequested)
                return true;
            try
            {
                if (slot.Probe() is not null)
                    return true;
            }
            catch (RingException)
            {
                return true; // the answer is the error: wake and deliver it
            }
        }
        return false;
    }
}
