using System.Diagnostics;
using Ring.Layout;
using Ring.Queues;

namespace Ring.Region;

/// <summary>Waits, with a deadline, for the peer to reach a step of the handshake.</summary>
internal static class Handshake
{
    /// <summary>
    /// Polls <paramref name="reached"/> (spinning briefly, then every millisecond) until it is true. Throws a
    /// <see cref="RingException"/> when <paramref name="deadline"/> passes, the region is marked broken, or the
    /// <paramref name="peer"/> is gone; <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static async ValueTask WaitForAsync(RegionHeader header, Func<bool> reached, long deadline, string what,
        IPeerMonitor peer, CancellationToken cancellationToken)
    {
        for (int round = 0; !reached(); round++)
        {
            ThrowIfBroken(header);
            if (peer.Refresh() != PeerState.Running)
                throw peer.Describe();
            if (Stopwatch.GetTimestamp() > deadline)
                throw new RingException(RingErrorReason.TimedOut, $"timed out waiting for {what}");
            cancellationToken.ThrowIfCancellationRequested();
            if (round < 200)
                Thread.SpinWait(50);
            else
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A deadline <paramref name="timeout"/> from now, in Stopwatch ticks.</summary>
    public static long Deadline(TimeSpan timeout) =>
        timeout >= TimeSpan.FromDays(1) ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);

    /// <summary>Throws when the status says NEEDS_RESET or FAILED.</summary>
    public static void ThrowIfBroken(RegionHeader header)
    {
        var status = header.Status;
        if ((status & DeviceStatus.DeviceNeedsReset) != 0)
            throw new RingException(RingErrorReason.PeerFailed, $"the region needs a reset: protocol violation '{header.Violation}'");
        if ((status & DeviceStatus.Failed) != 0)
            throw new RingException(RingErrorReason.PeerFailed, "the peer gave up and marked the region FAILED");
    }
}
