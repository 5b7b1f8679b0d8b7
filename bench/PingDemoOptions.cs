using System.Globalization;
using CommandLine;
using CommandLine.Text;
using Ring;
using Ring.Harness.Hosting;

namespace Bench;

/// <summary>Options of <c>bench ping-demo</c>: a real <c>ping</c> at the icmpecho guest through the TAP, the ring and back.</summary>
[Verb("ping-demo", HelpText = "Inside network namespaces this run creates (and always deletes): ping -c N -i 0.01 at the icmpecho guest "
    + "(the Consumer) through a TAP that the Producer bridges to the ring, then the same ping across a veth pair (the kernel's "
    + "own path). Needs root.")]
public sealed class PingDemoOptions
{
    /// <summary>The largest --size: a 9000-byte MTU less the IPv4 and ICMP headers.</summary>
    public const int MaxSize = 9000 - 20 - 8;

    /// <summary>Requests in flight with <c>--flood</c>.</summary>
    public const int FloodPreload = 64;

    [Option("mode", Default = "poll", HelpText = "How both programs wait: poll, event or hybrid.")]
    public string Mode { get; set; } = "poll";

    [Option("poll-us", HelpText = "Hybrid: microseconds to poll after the last work before sleeping (default 50).")]
    public double? PollMicros { get; set; }

    [Option("count", Default = 100, HelpText = "Echo requests (ping -c).")]
    public int Count { get; set; } = 100;

    [Option("size", Default = 56, HelpText = "ICMP data bytes (ping -s); above 1472 both paths get the MTU it needs, up to 9000.")]
    public int Size { get; set; } = 56;

    [Option("flood", HelpText = "Throughput instead of latency: ping -f -l 64 (64 requests in flight) on both paths; reports requests answered per second.")]
    public bool Flood { get; set; }

    [Option("json", HelpText = "End with one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> with one line. Returns how both programs wait.</summary>
    public WaitMode Validate()
    {
        if (Count is < 1 or > 1_000_000)
            throw new ArgumentException($"--count must be 1..1000000, not {Count}");
        if (Size is < 0 or > MaxSize)
            throw new ArgumentException($"--size must be 0..{MaxSize} (a 9000-byte MTU), not {Size}");
        var mode = WaitModeNames.Parse("--mode", Mode);
        if (PollMicros is { } us && (mode != WaitMode.Hybrid || us is < 0 or > 1_000_000))
            throw new ArgumentException($"--poll-us goes with --mode hybrid and must be 0..1000000, not {us.ToString(CultureInfo.InvariantCulture)}");
        return mode;
    }

    /// <summary>The MTU both paths get: Ethernet's 1500, or what --size needs.</summary>
    public int Mtu => Math.Max(1500, Size + 20 + 8);

    /// <summary>The usage example <c>--help</c> prints.</summary>
    [Usage(ApplicationAlias = "bench")]
    public static IEnumerable<Example> Examples =>
    [
        new("1000 pings of 1400 bytes at a guest that sleeps when idle", new UnParserSettings { SkipDefault = true },
            new PingDemoOptions { Count = 1000, Size = 1400, Mode = "event" }),
    ];
}
