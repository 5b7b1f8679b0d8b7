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
    var direction = options.Echo ? Direction.Both : DirectionNames.Parse(options.Direction);
    var settings = options.Settings(direction, options.Queues);
    var stall = OptionChecks.Timeout("stall-timeout", options.StallTimeout);

    using var interrupt = new InterruptSignal();
    using var guest = options.RegionIsPath ? Guest.CreateAtPath(options.Region, guestOptions) : Guest.Create(options.Region, guestOptions);
    guest.StartAsync(interrupt.Token).AsTask().GetAwaiter().GetResult();
    var applications = guest.QueuePairs.Select(pair => new GuestApplication(pair, settings, stall, options.Echo)).ToArray();

    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    long start = Stopwatch.GetTimestamp();
    QueueThreads.Run(options.Queues, (q, cancel) => applications[q].Run(start, cancel), interrupt.Token);
    double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();

    var summary = RunSummary.For("consumer", options.WaitMode, direction, options.Queues, options.Size, seconds, cpu.Percent());
    for (int q = 0; q < applications.Length; q++)
    {
        summary.Add(applications[q].Sent, applications[q].Rx);
        summary.AddCounters(guest.QueuePairs[q]);
    }
    summary.SetAllocations(allocations);
    return summary.Print(options.Json);
});
