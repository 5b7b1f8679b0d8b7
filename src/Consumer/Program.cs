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
    var stall = OptionChecks.Timeout("stall-timeout", options.StallTimeout);

    using var interrupt = new InterruptSignal();
    using var capture = options.PcapOut is null ? null : FrameCapture.Create(options.PcapOut, OptionChecks.LongestChain(options.BufferSize, options.RingSize));
    using var guest = options.RegionIsPath ? Guest.CreateAtPath(options.Region, guestOptions) : Guest.Create(options.Region, guestOptions);
    guest.StartAsync(interrupt.Token).AsTask().GetAwaiter().GetResult();
    IGuestLoop[] loops = guest.QueuePairs
        .Select(pair => app.NewForwarder is { } newApp
            ? (IGuestLoop)new FrameForwarder(pair, newApp(), capture, stall)
            : new GuestApplication(pair, settings, stall, capture))
        .ToArray();

    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    long start = Stopwatch.GetTimestamp();
    QueueThreads.Run(options.Queues, (q, cancel) => loops[q].Run(start, cancel), interrupt.Token);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();

    var summary = RunSummary.For("consumer", options.WaitMode, app.Direction, options.Queues, options.Size, seconds, cpu.Percent());
    summary.App = app.Name;
    for (int q = 0; q < loops.Length; q++)
    {
        loops[q].Report(summary);
        summary.AddCounters(guest.QueuePairs[q]);
    }
    if (capture is not null)
        summary.Captured = capture.Frames;
    summary.SetAllocations(allocations);
    return summary.Print(options.Json);
});
