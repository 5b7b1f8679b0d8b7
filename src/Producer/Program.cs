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

    using var interrupt = new InterruptSignal();
    // What the uplink needs is opened and checked before attaching, so a TAP in use or a bad capture fails with
    // one line and leaves the guest free to take another device.
    using var tap = uplink.Kind == UplinkKind.Tap ? TapDevice.Open(uplink.Target) : null;
    var capture = uplink.Kind == UplinkKind.Pcap ? PcapReplay.Scan(uplink.Target) : default;
    if (uplink.Kind == UplinkKind.Pcap)
        deviceOptions.RequiredBufferSize = Math.Max(deviceOptions.RequiredBufferSize, OptionChecks.SmallestBufferFor(capture.Longest));

    // A signal stops the TAP bridge, which then ends its stream and waits for the guest's: not a cancellation.
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt.Token);
    if (uplink.Kind == UplinkKind.Tap && options.Seconds is { } seconds)
        stop.CancelAfter(TimeSpan.FromSeconds(seconds));
    RunSummary? summary = null;
    CpuClock? cpu = null;
    AllocationMeter? allocations = null;
    JitMeter? jit = null;
    var switches = default(ContextSwitches);
    RingException? lost;
    RegionSnapshot? lastRegion;
    long start = 0;
    while (true)
    {
        using var device = (options.RegionIsPath
            ? Device.AttachAtPathAsync(options.Region, deviceOptions, interrupt.Token)
            : Device.AttachAsync(options.Region, deviceOptions, interrupt.Token)).AsTask().GetAwaiter().GetResult();
        int queues = device.QueuePairs.Count;
        if (uplink.Kind != UplinkKind.Gen && queues != 1)
            throw new RunFailedException($"--uplink {uplink} serves one queue pair; the consumer made {queues} (run it with --queues 1)");

        var direction = uplink.Kind != UplinkKind.Gen || options.Rtt ? Direction.Both : DirectionNames.Parse(options.Direction);
        if (summary is null)
        {
            summary = RunSummary.For("producer", options.WaitMode, direction, queues, options.Size);
            summary.Uplink = uplink.ToString();
        }
        else
        {
            summary.Sessions++;
            Console.Error.WriteLine($"producer: session {summary.Sessions}: attached to the new consumer's region");
        }
        var settings = options.Settings(direction, queues);
        IDeviceLoop[] loops = uplink.Kind switch
        {
            UplinkKind.Tap => [Bridge(device.QueuePairs[0], tap!, options, stop.Token)],
            UplinkKind.Pcap => [new PcapReplay(device.QueuePairs[0], uplink.Target, capture.Records, capture.Longest, options.Loop,
                options.Pace == "recorded")],
            _ => [.. device.QueuePairs.Select(pair => new DeviceBackend(pair, settings, options.NewStallWatch("producer", () => "the consumer"), options.Rtt))],
        };
        using var disposeLoops = new DisposeAll(loops);

        // The runtime's threads leave the poll threads' cores (--cpu) before the run, so moving them is set-up too.
        var pollCores = options.PollCores;
        if (pollCores is not null)
            ThreadAffinity.MoveOthersOff(pollCores);
        // Set-up allocations (histograms, threads) are done; from here on the run should allocate nothing per packet.
        // The run's clocks start with the first session; each session's stream (its pace, --seconds) with itself.
        long sessionStart = Stopwatch.GetTimestamp();
        if (allocations is null)
        {
            cpu = new CpuClock();
            allocations = new AllocationMeter();
            jit = new JitMeter();
            start = sessionStart;
        }
        // A peer lost mid-run still gets a summary: what was received and what was in flight when it went.
        switches += QueueThreads.RunUntilPeerLost(queues, (q, cancel) => loops[q].Run(sessionStart, cancel),
            uplink.Kind == UplinkKind.Tap ? CancellationToken.None : interrupt.Token, pollCores, out lost);
        for (int q = 0; q < queues; q++)
        {
            loops[q].Report(summary);
            summary.AddCounters(device.QueuePairs[q]);
        }
        // What the lost guest had counted stays in the region until the device lets go of it.
        lastRegion = lost is null ? null : device.Snapshot();
        if (lost is null || !options.Reconnect || lost.Reason is not (RingErrorReason.PeerDied or RingErrorReason.PeerLeft))
            break;
        Console.Error.WriteLine($"producer: session {summary.Sessions}: {lost.Message}; waiting up to {options.Wait:0.###} s "
            + "for a consumer to create the region again (--reconnect)");
    }
    summary.Finish(Stopwatch.GetElapsedTime(start).TotalSeconds, cpu!.Percent());
    allocations!.Stop();
    jit!.Stop();
    if (lost is not null)
        summary.SetPeerLost(lost, lastRegion!, guest: false);
    summary.SetAllocations(allocations);
    summary.SetJit(jit);
    summary.SetSwitches(switches);
    return summary.Print(options.Json);
});

// The TAP bridge, for frames up to the TAP's MTU plus the Ethernet header. The MTU is read from the namespace's sysfs,
// which `ip netns exec` mounts; when it cannot be read, the largest a TAP allows, so no frame is ever cut.
static TapBridge Bridge(QueuePair pair, TapDevice tap, ProducerOptions options, CancellationToken stop)
{
    string path = $"/sys/class/net/{tap.Name}/mtu";
    int mtu = File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out int value) ? value : ushort.MaxValue;
    int longestFrame = mtu + EthernetHeader.Length;
    var writer = pair.Writer;
    if (longestFrame > TapBridge.ChainLengthFor(longestFrame, writer) * writer.BufferSize)
        Console.Error.WriteLine($"producer: warning: TAP {tap.Name} sends frames up to {longestFrame} bytes, longer than the "
            + $"{writer.MaxChainLength} buffers of {writer.BufferSize} bytes a chain may have: longer frames reach the guest cut");
    return new TapBridge(pair, tap, longestFrame, options.WaitMode, OptionChecks.PollBudget(options.WaitMode, options.PollMicros), stop);
}

/// <summary>Disposes the loops that hold something (the TAP bridge's epoll set and eventfd).</summary>
internal sealed class DisposeAll(IDeviceLoop[] loops) : IDisposable
{
    public void Dispose()
    {
        foreach (var loop in loops)
            (loop as IDisposable)?.Dispose();
    }
}
