using System.Diagnostics;
using Consumer;
using Ring.Hosting;
using Ring.Layout;
using Ring.Region;
using Ring.Traffic;

return ProgramShell.Run("consumer", () =>
{
    if (OptionParser.Parse<ConsumerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    var geometry = options.Validate();
    var direction = DirectionNames.Parse(options.Direction);
    var plan = new SendPlan(options.Packets, options.Seconds, options.Queues);
    var stamper = new PacketStamper(options.Size);

    using var interrupt = new InterruptSignal();

    using var driver = Driver.Create(RegionPath.Resolve(options.Region), geometry);
    using var stopped = interrupt.Token.Register(() => driver.Header.SetStatus(DeviceStatus.Failed));
    driver.Start(Features.EndOfStream, Features.EndOfStream, OptionChecks.Timeout("attach-timeout", options.AttachTimeout));
    long start = Stopwatch.GetTimestamp();

    var applications = new GuestApplication[options.Queues];
    var stall = OptionChecks.Timeout("stall-timeout", options.StallTimeout);
    QueueThreads.Run(options.Queues, (q, cancel) =>
    {
        // Once the device has marked RX end of stream it may exit: what it sent is already in the ring.
        var queue = driver.Queue(q);
        var watch = new PeerWatch(() => driver.CheckPeer(deviceMayBeGone: queue.TryGetRxEndOfStream(out _)), stall,
            "the producer");
        applications[q] = new GuestApplication(queue, direction, stamper, plan.PacketsFor(q), plan, watch);
        applications[q].Run(start, cancel);
    }, violation => driver.Header.ReportViolation(violation.Code), interrupt.Token);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

    var summary = RunSummary.For("consumer", direction, options.Queues, options.Size, seconds);
    for (int q = 0; q < applications.Length; q++)
        summary.Add(driver.Queue(q).TxPosted, applications[q].Rx, driver.Queue(q).RxDrops, driver.Queue(q).TxCompletionDrops);
    return summary.Print(options.Json);
});
