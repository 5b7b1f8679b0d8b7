namespace Ring.Harness.Hosting;

/// <summary>
/// Runs one body per queue pair: queue 0 on the calling thread, the others on their own threads, as a poll-mode
/// driver gives each queue its own lcore. The first failure is reported and stops the others through the shared
/// token. Each queue's thread counts its context switches over its body; with cores given, each is pinned to its
/// core first (the program moves its other threads off those cores beforehand, in its set-up:
/// <see cref="ThreadAffinity.MoveOthersOff"/>).
/// </summary>
public static class QueueThreads
{
    /// <summary>
    /// Runs <paramref name="body"/> for queues 0..<paramref name="queues"/>-1, waits for all, and returns their
    /// context switches over their bodies, all queues together.
    /// </summary>
    /// <param name="queues">Queue pairs, one thread each.</param>
    /// <param name="body">One queue's loop.</param>
    /// <param name="cancel">Stops every loop; the run then throws OperationCanceledException.</param>
    /// <param name="cores">Null: leave the threads where the process may run. Else queue q's thread runs on
    /// <c>cores[q % cores.Count]</c> only.</param>
    public static ContextSwitches Run(int queues, Action<int, CancellationToken> body, CancellationToken cancel,
        IReadOnlyList<int>? cores = null)
    {
        var switches = RunAll(queues, body, cancel, cores, out var first);
        if (first is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        return switches;
    }

    /// <summary>As <see cref="Run"/>, but a run that ended because the peer was lost (it died, or left or failed before
    /// its stream ended: exit code 6) hands that error out in <paramref name="lost"/> instead of throwing it, so the
    /// program can still report what it counted; <paramref name="lost"/> is null when the run ended normally.</summary>
    public static ContextSwitches RunUntilPeerLost(int queues, Action<int, CancellationToken> body, CancellationToken cancel,
        IReadOnlyList<int>? cores, out RingException? lost)
    {
        var switches = RunAll(queues, body, cancel, cores, out var first);
        lost = first as RingException;
        if (first is not null && (lost is null || ExitCodes.For(lost.Reason) != ExitCodes.PeerLost))
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        return switches;
    }

    /// <summary>Runs every queue's body and waits for all; the first failure is handed out, an interruption thrown.</summary>
    private static ContextSwitches RunAll(int queues, Action<int, CancellationToken> body, CancellationToken cancel,
        IReadOnlyList<int>? cores, out Exception? failure)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        Exception? first = null;
        var switches = new ContextSwitches[queues];
        void Guarded(int queue)
        {
            try
            {
                if (cores is not null)
                    ThreadAffinity.PinThisThread(cores[queue % cores.Count]);
                var start = ContextSwitches.OfThisThread();
                try
                {
                    body(queue, failed.Token);
                }
                finally
                {
                    switches[queue] = ContextSwitches.OfThisThread() - start;
                }
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref first, e, null);
                failed.Cancel();
            }
        }

        var threads = Enumerable.Range(1, queues - 1)
            .Select(q => new Thread(() => Guarded(q)) { IsBackground = true, Name = $"queue {q}" })
            .ToList();
        threads.ForEach(t => t.Start());
        Guarded(0);
        threads.ForEach(t => t.Join());
        // An interrupted run reports the interruption, not what the stop made the loops see.
        cancel.ThrowIfCancellationRequested();
        failure = first;
        return switches.Aggregate(default(ContextSwitches), (a, b) => a + b);
    }
}
