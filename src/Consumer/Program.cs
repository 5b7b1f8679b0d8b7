using System.Diagnostics;
using System.Runtime.InteropServices;
using Consumer;
using Ring.Hosting;
using Ring.Layout;
using Ring.Queues;
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

    using var interrupt = new CancellationTokenSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; interrupt.Cancel(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; interrupt.Cancel(); });

    using var driver = Driver.Create(RegionPath.Resolve(options.Region), geometry);
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

    var summary = Summarize(options, direction, driver, applications, seconds);
    Console.WriteLine(options.Json ? summary.ToJson() : summary.ToString());
    return summary.Bad + summary.Missing == 0 && summary.Dropped == 0 ? ExitCodes.Ok : ExitCodes.VerificationFailed;
});

static RunSummary Summarize(ConsumerOptions options, Direction direction, Driver driver, GuestApplication[] apps, double seconds)
{
    var drops = new DropCounters();
    var summary = new RunSummary
    {
        Role = "consumer",
        Direction = direction.Name(),
        Queues = options.Queues,
        Size = options.Size,
        Seconds = seconds,
    };
    for (int q = 0; q < apps.Length; q++)
    {
        var queue = driver.Queue(q);
        drops.Add(queue.RxDrops);
        drops.Add(queue.TxCompletionDrops);
        summary.Sent += queue.TxPosted;
        summary.Received += apps[q].Rx.Received;
        summary.ReceivedBytes += apps[q].Rx.Bytes;
        summary.Bad += apps[q].Rx.Bad;
        summary.Missing += apps[q].Rx.Missing;
    }
    summary.Dropped = drops.Total;
    summary.Drops = drops.NonZero().ToDictionary(d => d.Key.ToString(), d => d.Value);
    summary.ComputeRates();
    return summary;
}
