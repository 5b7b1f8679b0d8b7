namespace Ring.Memory;

/// <summary>
/// Lets calls into shared memory run while an object is open, and lets <see cref="Close"/> wait until the last one
/// has left, so the mapping is never released under a running call.
/// </summary>
/// <remarks>
/// <para>Design: Dekker's pattern, made asymmetric. A call stores its count and then loads <c>_closed</c>;
/// <see cref="Close"/> stores <c>_closed</c> and then loads the counts. Each side stores before it loads, so at least
/// one sees the other, provided neither load passes its own store. The calls are the hot side (a burst calls in
/// three or four times) and pay nothing for it: a plain store and a plain load. <see cref="Close"/> pays for both
/// with <see cref="Interlocked.MemoryBarrierProcessWide"/> (Linux <c>membarrier</c>): every thread of the process
/// executes a full fence at some instant during it. For a call in progress that instant falls either before its
/// store, and then its load comes after the barrier began, when <c>_closed</c> was already visible (the
/// <see cref="Interlocked.Exchange(ref int, int)"/> that set it is a full fence), so the call backs out; or after its
/// store, which the fence then made visible before the barrier returned, so <see cref="Close"/> sees the call and
/// waits. The JIT keeps the two accesses in program order (both are volatile: ordered side effects it never swaps);
/// only the processor's store buffer could let the load pass the store, and that is what the barrier drains. The
/// runtime implements the barrier with <c>membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)</c> (Linux 4.14 and later),
/// an interrupt to every core running the process; its fallback for older kernels (an <c>mprotect</c> that forces
/// TLB shootdowns) is sound on x86-64, where a shootdown interrupts each core, but not on ARM64, whose broadcast TLB
/// invalidation interrupts nobody.</para>
/// <para>Why not a locked increment per call (the previous design): a locked instruction waits for the store buffer
/// to drain, so every call stalled until its ring stores had reached the peer's cache: about 40-70 ns of a 400 ns
/// round trip here (docs/PERFORMANCE.md, "Call gate").</para>
/// <para>Two counts, because two kinds of callers: <see cref="Enter"/> for the data path, which the single-thread
/// contract gives one thread at a time (its plain read-modify-write never races), and <see cref="EnterShared"/> for
/// the counters, which any thread may read while the data path runs (a locked increment: they are rare). A counter
/// is the owner's own field, so neither shares a line with another object.</para>
/// </remarks>
internal sealed class CallGate
{
    private int _calls;       // data-path calls inside: written by the calling thread only
    private int _sharedCalls; // counter reads inside, from any thread
    private int _closed;

    /// <summary>Whether <see cref="Close"/> has begun.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Enters a data-path call (one thread at a time, by the caller's contract); throws
    /// <see cref="ObjectDisposedException"/> naming <paramref name="owner"/> once closed. Pair every successful enter
    /// with <see cref="Exit"/>.</summary>
    public void Enter(object owner)
    {
        Volatile.Write(ref _calls, _calls + 1);
        if (Volatile.Read(ref _closed) != 0) // after the store in program order: see the remarks
        {
            Volatile.Write(ref _calls, _calls - 1);
            throw new ObjectDisposedException(owner.GetType().Name);
        }
    }

    /// <summary>Leaves a data-path call. Release: everything the call read and wrote in the mapping is done before
    /// <see cref="Close"/> can see the count drop.</summary>
    public void Exit() => Volatile.Write(ref _calls, _calls - 1);

    /// <summary>Enters a call that any thread may make beside the data path (reading counters); throws
    /// <see cref="ObjectDisposedException"/> naming <paramref name="owner"/> once closed. Pair every successful enter
    /// with <see cref="ExitShared"/>.</summary>
    public void EnterShared(object owner)
    {
        Interlocked.Increment(ref _sharedCalls);
        if (Volatile.Read(ref _closed) != 0)
        {
            Interlocked.Decrement(ref _sharedCalls);
            throw new ObjectDisposedException(owner.GetType().Name);
        }
    }

    /// <summary>Leaves a call entered with <see cref="EnterShared"/>.</summary>
    public void ExitShared() => Interlocked.Decrement(ref _sharedCalls);

    /// <summary>Closes the gate and waits until no call is inside. Returns false when it was closed already.</summary>
    public bool Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) // full fence: _closed is visible before the barrier begins
            return false;
        Interlocked.MemoryBarrierProcessWide(); // every thread fences once: a call's store is visible, or it sees _closed
        var spinner = new SpinWait();
        while (Volatile.Read(ref _calls) != 0 || Volatile.Read(ref _sharedCalls) != 0)
            spinner.SpinOnce();
        return true;
    }
}
