using System.Diagnostics;
using System.Runtime.InteropServices;
using Producer;
using Ring.Hosting;
using Ring.Layout;
using Ring.Queues;
using Ring.Region;
using Ring.Traffic;

return ProgramShell.Run("producer", () =>
{
    if (OptionParser.Parse<ProducerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    options.Validate();
    var direction = DirectionNames.Parse(options.Direction);
    string path = RegionPath.Resolve(options.Region);

    using var interrupt = new CancellationTokenSource();
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; interrupt.Cancel(); });
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; interrupt.Cancel(); });

    WaitForRegion(path, TimeSpan.FromSeconds(options.Wait), interrupt.Token);
    using var device = Device.Attach(path, Features.EndOfStream, TimeSpan.FromSeconds(options.HandshakeTimeout));
    int queues = device.Geometry.QueuePairs;
    OptionChecks.PacketSize(options.Size, device.Geometry.BufferSize);
    var plan = new SendPlan(options.Packets, options.Seconds, queues);
    var stamper = new PacketStamper(options.Size);
    long start = Stopwatch.GetTimestamp();

    var backends = new DeviceBackend[queues];
    var stall = TimeSpan.FromSeconds(options.StallTimeout);
    QueueThreads.Run(queues, (q, cancel) =>
    {
        var watch = new PeerWatch(device.CheckPeer, stall, "the consumer");
        backends[q] = new DeviceBackend(device.Queue(q), direction, stamper, plan.PacketsFor(q), plan, watch);
        backends[q].Run(start, cancel);
    }, violation => device.Header.ReportViolation(violation.Code), interrupt.Token);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;

    var summary = Summarize(options, direction, device, backends, seconds);
    Console.WriteLine(options.Json ? summary.ToJson() : summary.ToString());
    return summary.Bad + summary.Missing == 0 && summary.Dropped == 0 ? ExitCodes.Ok : ExitCodes.VerificationFailed;
});

static void WaitForRegion(string path, TimeSpan wait, CancellationToken cancel)
{
    // The consumer renames a complete region into place, so existence is enough.
    var clock = Stopwatch.StartNew();
    while (!File.Exists(path) && clock.Elapsed < wait)
    {
        cancel.ThrowIfCancellationRequested();
        Thread.Sleep(5);
    }
}

static RunSummary Summarize(ProducerOptions options, Direction direction, Device device, DeviceBackend[] backends, double seconds)
{
    var drops = new DropCounters();
    var summary = new RunSummary
    {
        Role = "producer",
        Direction = direction.Name(),
        Queues = backends.Length,
        Size = options.Size,
        Seconds = seconds,
    };
    for (int q = 0; q < backends.Length; q++)
    {
        var queue = device.Queue(q);
        drops.Add(queue.FillDrops);
        drops.Add(queue.TxDrops);
        summary.Sent += queue.RxCompleted;
        summary.Received += backends[q].Tx.Received;
        summary.ReceivedBytes += backends[q].Tx.Bytes;
        summary.Bad += backends[q].Tx.Bad;
        summary.Missing += backends[q].Tx.Missing;
    }
    summary.Dropped = drops.Total;
    summary.Drops = drops.NonZero().ToDictionary(d => d.Key.ToString(), d => d.Value);
    summary.ComputeRates();
    return summary;
}
