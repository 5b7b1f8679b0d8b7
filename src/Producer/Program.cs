using System.Diagnostics;
using Producer;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;
using Ring.Harness.Traffic;

return ProgramShell.Run("producer", () =>
{
    if (OptionParser.Parse<ProducerOptions>(args) is not { } options)
        return ExitCodes.Ok;
    var deviceOptions = options.Validate();
    var uplink = options.ResolveUplink();
    var stall = OptionChecks.Timeout("stall-timeout", options.StallTimeout);

    using var interrupt = new InterruptSignal();
    // What the uplink needs is opened and checked before attaching, so a TAP in use or a bad capture fails with
    // one line and leaves the guest free to take another device.
    using var tap = uplink.Kind == UplinkKind.Tap ? TapDevice.Open(uplink.Target) : null;
    var capture = uplink.Kind == UplinkKind.Pcap ? PcapReplay.Scan(uplink.Target) : default;
    if (uplink.Kind == UplinkKind.Pcap)
        deviceOptions.RequiredBufferSize = Math.Max(deviceOptions.RequiredBufferSize, capture.Longest);

    using var device = (options.RegionIsPath
        ? Device.AttachAtPathAsync(options.Region, deviceOptions, interrupt.Token)
        : Device.AttachAsync(options.Region, deviceOptions, interrupt.Token)).AsTask().GetAwaiter().GetResult();
    int queues = device.QueuePairs.Count;
    if (uplink.Kind != UplinkKind.Gen && queues != 1)
        throw new RunFailedException($"--uplink {uplink} serves one queue pair; the consumer made {queues} (run it with --queues 1)");
    if (tap is not null)
        WarnIfFramesAreCut(tap, device.BufferSize);

    // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
    var cpu = new CpuClock();
    var allocations = new AllocationMeter();
    long start = Stopwatch.GetTimestamp();
    Action<RunSummary> report;
    var direction = options.Rtt ? Direction.Both : DirectionNames.Parse(options.Direction);
    switch (uplink.Kind)
    {
        case UplinkKind.Tap:
        {
            direction = Direction.Both;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token);
            if (options.Seconds is { } seconds)
                stop.CancelAfter(TimeSpan.FromSeconds(seconds));
            using var bridge = new TapBridge(device.QueuePairs[0], tap!, options.WaitMode,
                OptionChecks.PollBudget(options.WaitMode, options.PollMicros), stop.Token);
            // The signal asks the bridge to stop and end its stream; it is not a cancellation of the run.
            QueueThreads.Run(1, (_, _) => bridge.Run(), CancellationToken.None);
            report = bridge.Report;
            break;
        }
        case UplinkKind.Pcap:
        {
            direction = Direction.Both;
            var replay = new PcapReplay(device.QueuePairs[0], uplink.Target, capture.Records, options.Loop, options.Pace == "recorded");
            QueueThreads.Run(1, (_, cancel) => replay.Run(cancel), interrupt.Token);
            report = replay.Report;
            break;
        }
        default:
        {
            var settings = options.Settings(direction, queues);
            var backends = device.QueuePairs.Select(pair => new DeviceBackend(pair, settings, stall, options.Rtt)).ToArray();
            QueueThreads.Run(queues, (q, cancel) => backends[q].Run(start, cancel), interrupt.Token);
            report = summary =>
            {
                foreach (var backend in backends)
                    summary.Add(backend.Sent, backend.Tx);
            };
            break;
        }
    }
    double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
    allocations.Stop();

    var summary = RunSummary.For("producer", options.WaitMode, direction, queues, options.Size, elapsed, cpu.Percent());
    summary.Uplink = uplink.ToString();
    report(summary);
    foreach (var pair in device.QueuePairs)
        summary.AddCounters(pair);
    summary.SetAllocations(allocations);
    return summary.Print(options.Json);
});

// A TAP hands over frames up to its MTU plus the Ethernet header; a read into a smaller buffer cuts the frame.
static void WarnIfFramesAreCut(TapDevice tap, int bufferSize)
{
    string path = $"/sys/class/net/{tap.Name}/mtu";
    if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out int mtu) && mtu + EthernetHeader.Length > bufferSize)
        Console.Error.WriteLine($"producer: warning: TAP {tap.Name} has MTU {mtu}, so frames up to {mtu + EthernetHeader.Length} bytes, "
            + $"but the guest's buffers hold {bufferSize}: longer frames reach the guest cut");
}
