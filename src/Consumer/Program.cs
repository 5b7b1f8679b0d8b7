using System.Diagnostics;
using Consumer;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

return ProgramShell.Run("consumer", () =>
{
    if (OptionParser.Parse<ConsumerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    var guestOptions = options.Validate();
    var app = options.ResolveApp();
    var settings = options.Settings(app.Direction, options.Queues);

    using var interrupt = new InterruptSignal();
    using var capture = options.PcapOut is null ? null : FrameCapture.Create(options.PcapOut, OptionChecks.LongestChain(options.BufferSize, options.RingSize));
    using var guest = options.RegionIsPath ? Guest.CreateAtPath(options.Region, guestOptions) : Guest.Create(options.Region, guestOptions);
    if (guest.ReplacedStaleRegion)
        Console.Error.WriteLine($"consumer: replaced a stale region at {guest.Path}, left by a consumer that had crashed");
    guest.StartAsync(interrupt.Token).AsTask().GetAwaiter().GetResult();
    var summary = RunSummary.For("consumer", options.WaitMode, app.Direction, options.Queues, options.Size);
    summary.App = app.Name;

    // The runtime's threads leave the poll threads' cores (--cpu) before the run, so moving them is set-up too.
    var pollCores = options.PollCores;
    if (pollCores is not null)
        ThreadAffinity.MoveOthersOff(pollCores);
    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    var jit = new JitMeter();
    long start = Stopwatch.GetTimestamp();
    var switches = default(ContextSwitches);
    RingException? lost;
    while (true)
    {
        long sessionStart = Stopwatch.GetTimestamp(); // each session's stream (its pace, --seconds) runs from its own start
        // Each session's loops check its producer's sequence numbers from that producer's first packet.
        IGuestLoop[] loops = guest.QueuePairs
            .Select(pair => app.NewForwarder is { } newApp
                ? (IGuestLoop)new FrameForwarder(pair, newApp(), capture, options.NewStallWatch("consumer", () => "the producer to give back TX buffers"))
                : new GuestApplication(pair, settings, options.NewStallWatch("consumer", () => "the producer"), capture))
            .ToArray();
        // A peer lost mid-run still gets a summary: what was received and what was in flight when it went.
        switches += QueueThreads.RunUntilPeerLost(options.Queues, (q, cancel) => loops[q].Run(sessionStart, cancel), interrupt.Token,
            pollCores, out lost);
        for (int q = 0; q < loops.Length; q++)
        {
            loops[q].Report(summary);
            summary.AddCounters(guest.QueuePairs[q]); // before a reset clears them
        }
        if (lost is null || !options.Reconnect || lost.Reason is not (RingErrorReason.PeerDied or RingErrorReason.PeerLeft))
            break;
        // The lost producer's own count of what it published is in the region until the reset clears it.
        summary.Accounting.AddLostPeer(guest.Snapshot().Queues.Sum(q => q.DeviceSender.PacketEntries));
        summary.Accounting.EndSession(lost.Message);
        Console.Error.WriteLine($"consumer: session {summary.Sessions}: {lost.Message}; resetting the device and waiting up to "
            + $"{options.AttachTimeout:0.###} s for a new producer (--reconnect)");
        try
        {
            guest.ResetAsync(interrupt.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (RingException e) when (e.Reason == RingErrorReason.TimedOut)
        {
            throw new RunFailedException($"{lost.Message}, and no new producer attached within {options.AttachTimeout:0.###} s", ExitCodes.PeerLost);
        }
        summary.Sessions++;
        Console.Error.WriteLine($"consumer: session {summary.Sessions}: a new producer attached; the reset took back "
            + $"{guest.LastReset.PostedBuffers} posted and {guest.LastReset.InFlightBuffers} in-flight buffers");
    }
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();
    jit.Stop();

    if (capture is not null)
        summary.Captured = capture.Frames;
    summary.Finish(seconds, cpu.Percent());
    if (lost is not null)
        summary.SetPeerLost(lost, guest.Snapshot(), guest: true);
    summary.Accounting.EndSession(lost?.Message ?? "");
    summary.SetAllocations(allocations);
    summary.SetJit(jit);
    summary.SetSwitches(switches);
    return summary.Print(options.Json);
});
