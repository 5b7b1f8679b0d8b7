namespace Ring.Tests.Support;

/// <summary>Waits on a test's region through <see cref="RegionObserver"/>, read-only, as <c>bench stats</c> reads it.</summary>
internal static class RegionWatch
{
    /// <summary>Waits until the region of <paramref name="runner"/> is running (the handshake is done and packets
    /// flow); fails when <paramref name="deadline"/> passes or one of <paramref name="pair"/> exits first.</summary>
    public static void WaitForRunning(ProgramRunner runner, TimeSpan deadline, params ProgramRunner.Child[] pair) =>
        runner.WaitUntil(() => StateOf(runner.RegionFile) == RegionState.Running, "the region was running", deadline, pair);

    /// <summary>Waits until the region's receivers have taken at least <paramref name="packets"/> packets in all.</summary>
    public static void WaitForPackets(ProgramRunner runner, long packets, TimeSpan deadline, params ProgramRunner.Child[] pair) =>
        runner.WaitUntil(() => Received(runner.RegionFile) >= packets, $"{packets} packets were received", deadline, pair);

    /// <summary>The region's state, or null while it cannot be opened (not created yet, or gone).</summary>
    public static RegionState? StateOf(string path)
    {
        try
        {
            using var observer = RegionObserver.OpenAtPath(path);
            return observer.Snapshot().State;
        }
        catch (RingException)
        {
            return null;
        }
    }

    private static long Received(string path)
    {
        try
        {
            using var observer = RegionObserver.OpenAtPath(path);
            return observer.Snapshot().Queues.Sum(q => q.GuestReceiver.Packets + q.DeviceReceiver.Packets);
        }
        catch (RingException)
        {
            return 0;
        }
    }
}
