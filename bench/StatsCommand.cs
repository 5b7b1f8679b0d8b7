using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// <c>bench stats</c>: opens a region read-only through <see cref="RegionObserver"/> (it cannot change a byte) and
/// shows its counters. Without <c>--watch</c> it reads two snapshots one second apart and shows one block, so the
/// rates are there too. With <c>--watch S</c> it shows the first snapshot at once (no rates yet), then one block
/// every S seconds, until SIGINT or SIGTERM (exit 130, quietly: that is how a watch ends) or until the region is
/// torn down: the guest left (GuestLeft), its file was removed, or the guest's process is gone. Then the last block
/// is shown, one line on standard error says why, and the exit code is 6 (<see cref="ExitCodes.PeerLost"/>). A
/// region that is missing (4) or not a usable Ring region (5) gets one line and its code from the observer's error.
/// </summary>
internal static class StatsCommand
{
    /// <summary>Seconds between the two snapshots of a one-block run.</summary>
    public const double OneBlockSeconds = 1;

    public static int Run(StatsOptions options)
    {
        options.Validate();
        using var interrupt = new InterruptSignal();
        using var observer = options.RegionIsPath ? RegionObserver.OpenAtPath(options.Region) : RegionObserver.Open(options.Region);
        bool redraw = options.Watch is not null && !options.Json && !Console.IsOutputRedirected;
        var screen = new StatsScreen(Console.Out, options.Json, redraw);
        try
        {
            return Watch(observer, screen, options.Watch, interrupt.Token);
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>Shows blocks until the region is torn down (throws), <paramref name="cancel"/> fires (throws), or,
    /// without <paramref name="watchSeconds"/>, after one block.</summary>
    private static int Watch(RegionObserver observer, StatsScreen screen, double? watchSeconds, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var before = observer.Snapshot();
        if (watchSeconds is null && TornDown(before, observer.GuestAlive) is null)
        {
            Sleep(TimeSpan.FromSeconds(OneBlockSeconds), cancel);
            Show(screen, observer, observer.Snapshot(), before, clock.Elapsed.TotalSeconds);
            return ExitCodes.Ok;
        }
        // The first block of a watch, or the only one of a region already torn down (then Show throws).
        Show(screen, observer, before, null, 0);
        if (watchSeconds is not { } every)
            return ExitCodes.Ok;
        double beforeAt = 0;
        for (int interval = 1; ; interval++)
        {
            Sleep(TimeSpan.FromSeconds(every * interval) - clock.Elapsed, cancel);
            var now = observer.Snapshot();
            double at = clock.Elapsed.TotalSeconds;
            Show(screen, observer, now, before, at - beforeAt);
            (before, beforeAt) = (now, at);
        }
    }

    /// <summary>Shows one block; throws (exit code 6) when it shows a region torn down. The guest's liveness is read
    /// once, so the block and the verdict agree: read twice, a guest hanging up in between showed as running in the
    /// last block of a region that ended because it was gone.</summary>
    private static void Show(StatsScreen screen, RegionObserver observer, RegionSnapshot now, RegionSnapshot? before, double seconds)
    {
        bool guestAlive = observer.GuestAlive;
        screen.Show(StatsSample.Of(now, before, seconds, DateTime.UtcNow, guestAlive));
        if (TornDown(now, guestAlive) is { } why)
            throw new RunFailedException($"region {observer.Path} ended: {why}", ExitCodes.PeerLost);
    }

    /// <summary>Why nothing will move in the region again, or null while it lives.</summary>
    private static string? TornDown(RegionSnapshot snapshot, bool guestAlive) =>
        snapshot.State == RegionState.GuestLeft ? $"the guest (pid {snapshot.GuestPid}) left and tore it down"
        : !guestAlive ? $"the guest (pid {snapshot.GuestPid}) is gone"
        : null;

    private static void Sleep(TimeSpan delay, CancellationToken cancel)
    {
        if (cancel.WaitHandle.WaitOne(delay > TimeSpan.Zero ? delay : TimeSpan.Zero))
            throw new OperationCanceledException(cancel);
    }
}
