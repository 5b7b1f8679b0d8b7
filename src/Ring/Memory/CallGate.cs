namespace Ring.Memory;

/// <summary>
/// Lets calls into shared memory run while an object is open, and lets <see cref="Close"/> wait until the last one
/// has left, so the mapping is never released under a running call.
/// </summary>
/// <remarks>
/// Design: Dekker's pattern on two words. A call increments <see cref="_calls"/> (a locked instruction, a full
/// fence) and then reads <see cref="_closed"/>; <see cref="Close"/> sets <see cref="_closed"/>, fences, and then reads
/// <see cref="_calls"/>. Each side stores before it loads, with a fence between, so at least one sees the other:
/// either the call sees the close and backs out, or the close sees the call and waits for it. The counter is the
/// owner's own field, written by the threads that call this object (one, in the single-threaded contract), so the
/// increment costs an uncontended locked add per burst, not a line shared with other objects.
/// </remarks>
internal sealed class CallGate
{
    private int _calls;
    private int _closed;

    /// <summary>Whether <see cref="Close"/> has begun.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Enters a call; throws <see cref="ObjectDisposedException"/> naming <paramref name="owner"/> once closed.
    /// Pair every successful enter with <see cref="Exit"/>.</summary>
    public void Enter(object owner)
    {
        Interlocked.Increment(ref _calls); // full fence: the increment is visible before _closed is read
        if (Volatile.Read(ref _closed) != 0)
        {
            Interlocked.Decrement(ref _calls);
            throw new ObjectDisposedException(owner.GetType().Name);
        }
    }

    /// <summary>Leaves a call.</summary>
    public void Exit() => Interlocked.Decrement(ref _calls);

    /// <summary>Closes the gate and waits until no call is inside. Returns false when it was closed already.</summary>
    public bool Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) // full fence: _closed is visible before _calls is read
            return false;
        var spinner = new SpinWait();
        while (Volatile.Read(ref _calls) != 0)
            spinner.SpinOnce();
        return true;
    }
}
