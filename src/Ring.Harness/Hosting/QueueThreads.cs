namespace Ring.Harness.Hosting;

/// <summary>
/// Runs one body per queue pair: queue 0 on the calling thread, the others on their own threads, as a poll-mode
/// driver gives each queue its own lcore. The first failure is reported and stops the others through the shared
/// token.
/// </summary>
public static class QueueThreads
{
    /// <summary>As <see cref="Run"/>, but a run that ended because the peer was lost (it died, or left or failed before
    /// its stream ended: exit code 6) returns that error instead of throwing it, so the program can still report what
    /// it counted; null when the run ended normally.</summary>
    public static RingException? RunUntilPeerLost(int queues, Action<int, CancellationToken> body, CancellationToken cancel)
    {
        try
        {
            Run(queues, body, cancel);
            return null;
        }
        catch (RingException e) when (ExitCodes.For(e.Reason) == ExitCodes.PeerLost)
        {
            return e;
        }
    }

    /// <summary>Runs <paramref name="body"/> for queues 0..<paramref name="queues"/>-1 and waits for all.</summary>
    public static void Run(int queues, Action<int, CancellationToken> body, CancellationToken cancel)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        Exception? first = null;
        void Guarded(int queue)
        {
            try
            {
                body(queue, failed.Token);
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
        if (first is not null)
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }
}
