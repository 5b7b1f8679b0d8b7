using System.Globalization;

namespace Ring.Harness.Net;

/// <summary>Runs iputils <c>ping</c> inside a namespace and reads its statistics.</summary>
public static class PingCommand
{
    /// <summary>
    /// <c>ping -n -q -c COUNT -i INTERVAL -s SIZE -W 1 ADDRESS</c> inside <paramref name="ns"/>: exactly COUNT
    /// requests (a <c>-w</c> deadline would make ping send more until COUNT replies come), then at most 1 s for the
    /// last replies. ping slows down while requests go unanswered, so the run may take up to 0.1 s a request; past
    /// that plus 30 s it is killed. Exit 0 (all answered) and 1 (some lost) both return the summary; anything else
    /// throws <see cref="NetworkSetupException"/> with ping's own line.
    /// </summary>
    public static PingSummary Run(NetworkNamespace ns, string address, int count, double intervalSeconds, int size,
        CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var timeout = TimeSpan.FromSeconds(30 + count * Math.Max(intervalSeconds, 0.1));
        return Exec(ns, timeout, cancel, "-c", Text(count), "-i", Text(intervalSeconds), "-s", Text(size), "-W", "1", address);
    }

    /// <summary>
    /// <c>ping -n -q -f -l PRELOAD -c COUNT -s SIZE -W 1 ADDRESS</c> inside <paramref name="ns"/>: a flood that keeps
    /// <paramref name="preload"/> requests in flight (root only), for a rate rather than a latency. Returns the summary
    /// and how long ping ran, start to end (its start-up, a few milliseconds, included); killed past 30 s plus 1 ms a
    /// request.
    /// </summary>
    public static (PingSummary Summary, TimeSpan Elapsed) Flood(NetworkNamespace ns, string address, int count, int size,
        int preload, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfLessThan(preload, 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var summary = Exec(ns, TimeSpan.FromSeconds(30 + count * 1e-3), cancel,
            "-f", "-l", Text(preload), "-c", Text(count), "-s", Text(size), "-W", "1", address);
        return (summary, clock.Elapsed);
    }

    private static PingSummary Exec(NetworkNamespace ns, TimeSpan timeout, CancellationToken cancel, params string[] args)
    {
        var result = ns.Exec(timeout, cancel, ["ping", "-n", "-q", .. args]);
        // A Ctrl-C that also deleted the namespace may have ended ping before the wait saw the cancellation.
        cancel.ThrowIfCancellationRequested();
        if (result.ExitCode is not (0 or 1))
            throw new NetworkSetupException($"{result.CommandLine}: {result.FirstErrorLine}");
        try
        {
            return PingSummary.Parse(result.Stdout);
        }
        catch (FormatException e)
        {
            throw new NetworkSetupException($"{result.CommandLine}: {e.Message}");
        }
    }

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
