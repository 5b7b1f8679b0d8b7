using System.Diagnostics;
using Consumer;
using Ring.Harness.Hosting;
using Ring.Layout;
using Ring.Region;
using Ring.Harness.Traffic;
using Ring.Waiting;

return ProgramShell.Run("consumer", () =>
{
    if (OptionParser.Parse<ConsumerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    var geometry = options.Validate();
    var direction = options.Echo ? Direction.Both : DirectionNames.Parse(options.Direction);
    var mode = options.WaitMode;
    var settings = options.Settings(direction, options.Queues);

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
        return new GuestApplication(queue, q, settings, watch, options.Echo);
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
    }
    summary.SetAllocations(allocations);
    return summary.Print(options.Json);
});
