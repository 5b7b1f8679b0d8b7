using System.Diagnostics;
using Consumer;
using Ring.Hosting;
using Ring.Layout;
using Ring.Region;
using Ring.Traffic;
using Ring.Waiting;

return ProgramShell.Run("consumer", () =>
{
    if (OptionParser.Parse<ConsumerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    var geometry = options.Validate();
    var direction = options.Echo ? Direction.Both : DirectionNames.Parse(options.Direction);
    var plan = new SendPlan(options.Packets, options.Seconds, options.Queues);
    _ = new RatePacer(options.Rate); // validates --rate before the region is made
    var stamper = new PacketStamper(options.Size);
    var mode = WaitModeNames.Parse("--mode", options.Mode);
    var pollBudget = OptionChecks.PollBudget(mode, options.PollMicros);

    using var interrupt = new InterruptSignal();

    using var driver = Driver.Create(RegionPath.Resolve(options.Region), geometry);
    using var stopped = interrupt.Token.Register(() => driver.Header.SetStatus(DeviceStatus.Failed));
    driver.Start(Features.EndOfStream, Features.EndOfStream, OptionChecks.Timeout("attach-timeout", options.AttachTimeout),
        maySleep: mode != WaitMode.Poll);
    var stall = OptionChecks.Timeout("stall-timeout", options.StallTimeout);
    var applications = Enumerable.Range(0, options.Queues).Select(q =>
    {
        // Once the device has marked RX end of stream it may exit: what it sent is already in the ring.
        var queue = driver.Queue(q);
        var watch = new PeerWatch(() => driver.CheckPeer(deviceMayBeGone: queue.TryGetRxEndOfStream(out _)), stall,
            "the producer");
        return new GuestApplication(queue, direction, stamper, options.Echo ? 0 : plan.PacketsFor(q), plan, watch, mode, pollBudget,
            new RandomPauses(options.PauseChance, options.PauseMicros, seed: q), new RatePacer(options.Rate / options.Queues), options.Echo);
    }).ToArray();

    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    long start = Stopwatch.GetTimestamp();
    QueueThreads.Run(options.Queues, (q, cancel) => applications[q].Run(start, cancel),
        violation => driver.Header.ReportViolation(violation.Code), interrupt.Token);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();

    var summary = RunSummary.For("consumer", mode, direction, options.Queues, options.Size, seconds, cpu.Percent());
    for (int q = 0; q < applications.Length; q++)
    {
        var queue = driver.Queue(q);
        summary.Add(queue.TxPosted, applications[q].Rx, queue.RxDrops, queue.TxCompletionDrops);
        summary.AddWaiting(queue.DeviceDoorbell, queue.Sleeper, applications[q].Idle);
        if (q != 0)
            applications[0].Latency.Add(applications[q].Latency);
    }
    summary.SetLatency(applications[0].Latency);
    summary.SetAllocations(allocations);
    return summary.Print(options.Json);
});
