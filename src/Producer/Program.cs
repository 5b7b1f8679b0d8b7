using System.Diagnostics;
using Producer;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

return ProgramShell.Run("producer", () =>
{
    if (OptionParser.Parse<ProducerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    var deviceOptions = options.Validate();
    var direction = options.Rtt ? Direction.Both : DirectionNames.Parse(options.Direction);
    var stall = OptionChecks.Timeout("stall-timeout", options.StallTimeout);

    using var interrupt = new InterruptSignal();
    using var device = (options.RegionIsPath
        ? Device.AttachAtPathAsync(options.Region, deviceOptions, interrupt.Token)
        : Device.AttachAsync(options.Region, deviceOptions, interrupt.Token)).AsTask().GetAwaiter().GetResult();
    int queues = device.QueuePairs.Count;
    var settings = options.Settings(direction, queues);
    var backends = device.QueuePairs.Select(pair => new DeviceBackend(pair, settings, stall, options.Rtt)).ToArray();

    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    long start = Stopwatch.GetTimestamp();
    QueueThreads.Run(queues, (q, cancel) => backends[q].Run(start, cancel), interrupt.Token);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();

    var summary = RunSummary.For("producer", options.WaitMode, direction, queues, options.Size, seconds, cpu.Percent());
    for (int q = 0; q < backends.Length; q++)
    {
        summary.Add(backends[q].Sent, backends[q].Tx);
        summary.AddCounters(device.QueuePairs[q]);
    }
    summary.SetAllocations(allocations);
    return summary.Print(options.Json);
});
