using System.Diagnostics;
using Producer;
using Ring.Harness.Hosting;
using Ring.Layout;
using Ring.Region;
using Ring.Harness.Traffic;
using Ring.Waiting;

return ProgramShell.Run("producer", () =>
{
    if (OptionParser.Parse<ProducerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    options.Validate();
    var direction = options.Rtt ? Direction.Both : DirectionNames.Parse(options.Direction);
    string path = RegionPath.Resolve(options.Region);
    var mode = options.WaitMode;

    using var interrupt = new InterruptSignal();

    WaitForRegion(path, TimeSpan.FromSeconds(options.Wait), interrupt.Token);
    using var device = Device.Attach(path, Features.EndOfStream, TimeSpan.FromSeconds(options.HandshakeTimeout),
        geometry => OptionChecks.PacketSize(options.Size, geometry.BufferSize), maySleep: mode != WaitMode.Poll);
    using var stopped = interrupt.Token.Register(() => device.Header.SetStatus(DeviceStatus.Failed));
    int queues = device.Geometry.QueuePairs;
    var settings = options.Settings(direction, queues);
    var stall = TimeSpan.FromSeconds(options.StallTimeout);
    var backends = Enumerable.Range(0, queues).Select(q =>
    {
        var watch = new PeerWatch(device.CheckPeer, stall, "the consumer");
        var queue = device.Queue(q);
        queue.GuestDoorbell.Coalesce(options.CoalesceFrames, TimeSpan.FromMicroseconds(options.CoalesceMicros));
        return new DeviceBackend(queue, q, settings, watch, options.Rtt);
    }).ToArray();

    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    long start = Stopwatch.GetTimestamp();
    QueueThreads.Run(queues, (q, cancel) => backends[q].Run(start, cancel),
        violation => device.Header.ReportViolation(violation.Code), interrupt.Token);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();

    var summary = RunSummary.For("producer", mode, direction, queues, options.Size, seconds, cpu.Percent());
    for (int q = 0; q < backends.Length; q++)
    {
        var queue = device.Queue(q);
        summary.Add(queue.RxCompleted, backends[q].Tx, queue.FillDrops, queue.TxDrops);
        summary.AddWaiting(queue.GuestDoorbell, queue.Sleeper, backends[q].Idle);
    }
    summary.SetAllocations(allocations);
    return summary.Print(options.Json);
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
