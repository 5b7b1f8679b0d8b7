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
    IGuestLoop[] loops = guest.QueuePairs
        .Select(pair => app.NewForwarder is { } newApp
            ? (IGuestLoop)new FrameForwarder(pair, newApp(), capture, options.NewStallWatch("consumer", () => "the producer to give back TX buffers"))
            : new GuestApplication(pair, settings, options.NewStallWatch("consumer", () => "the producer"), capture))
        .ToArray();

    // The runtime's threads leave the poll threads' cores (--cpu) before the run, so moving them is set-up too.
    var pollCores = options.PollCores;
    if (pollCores is not null)
        ThreadAffinity.MoveOthersOff(pollCores);
    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    var jit = new JitMeter();
    long start = Stopwatch.GetTimestamp();
    // A peer lost mid-run still gets a summary: what was received and what was in flight when it went.
    var switches = QueueThreads.RunUntilPeerLost(options.Queues, (q, cancel) => loops[q].Run(start, cancel), interrupt.Token,
        pollCores, out var lost);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();
    jit.Stop();

    var summary = RunSummary.For("consumer", options.WaitMode, app.Direction, options.Queues, options.Size, seconds, cpu.Percent());
    summary.App = app.Name;
    for (int q = 0; q < loops.Length; q++)
    {
        loops[q].Report(summary);
        summary.AddCounters(guest.QueuePairs[q]);
    }
    if (capture is not null)
        summary.Captured = capture.Frames;
    if (lost is not null)
        summary.SetPeerLost(lost, guest.Path, guest: true);
    summary.SetAllocations(allocations);
    summary.SetJit(jit);
    summary.SetSwitches(switches);
    return summary.Print(options.Json);
});
