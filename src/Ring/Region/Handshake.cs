using System.Diagnostics;
using Ring.Layout;
using Ring.Native;

namespace Ring.Region;

/// <summary>Waits, with a deadline, for the peer to reach a step of the handshake; and checks on the peer later.</summary>
internal static class Handshake
{
    /// <summary>Spins (then sleeps 1 ms a round) until <paramref name="reached"/> is true; throws when the deadline
    /// passes, the region is marked broken, or <paramref name="peerPid"/> (if set) dies.</summary>
    public static void WaitFor(RegionHeader header, Func<bool> reached, TimeSpan timeout, string what, Func<int> peerPid)
    {
        var clock = Stopwatch.StartNew();
        for (int round = 0; !reached(); round++)
        {
            ThrowIfBroken(header);
            int pid = peerPid();
            if (pid != 0 && !Posix.ProcessExists(pid))
                throw new RingException($"peer process {pid} died during the handshake ({what})");
            if (clock.Elapsed > timeout)
                throw new RingException($"timed out after {timeout.TotalSeconds:0.#} s waiting for {what}");
            if (round < 1000) Thread.SpinWait(50); else Thread.Sleep(1);
        }
    }

    /// <summary>Throws when the status says NEEDS_RESET or FAILED, naming the recorded violation.</summary>
    public static void ThrowIfBroken(RegionHeader header)
    {
        var status = header.Status;
        if ((status & DeviceStatus.DeviceNeedsReset) != 0)
            throw new RingException($"region needs reset: peer reported protocol violation '{header.Violation}'");
        if ((status & DeviceStatus.Failed) != 0)
            throw new RingException("the peer stopped and marked the region FAILED");
    }
}
