using System.Globalization;
using CommandLine;
using CommandLine.Text;

namespace Bench;

/// <summary>Options of <c>bench ping-demo</c>: a real <c>ping</c> at the icmpecho guest through a TAP, in a namespace.</summary>
[Verb("ping-demo", HelpText = "Inside network namespaces this run creates (and always deletes): ping -c N -i 0.01 at the icmpecho guest "
    + "through a TAP, then the same ping across a veth pair (the kernel's own path). Needs root.")]
public sealed class PingDemoOptions
{
    /// <summary>The largest --size: a 9000-byte MTU less the IPv4 and ICMP headers.</summary>
    public const int MaxSize = 9000 - 20 - 8;

    [Option("mode", Default = "poll", HelpText = "How the guest waits: poll, event or hybrid.")]
    public string Mode { get; set; } = "poll";

    [Option("poll-us", Default = 50.0, HelpText = "Hybrid: microseconds to poll after the last frame before sleeping.")]
    public double PollMicros { get; set; } = 50;

    [Option("count", Default = 100, HelpText = "Echo requests (ping -c).")]
    public int Count { get; set; } = 100;

    [Option("size", Default = 56, HelpText = "ICMP data bytes (ping -s); above 1472 both paths get the MTU it needs, up to 9000.")]
    public int Size { get; set; } = 56;

    [Option("json", HelpText = "End with one JSON object on the last line.")]
    public bool Json { get; set; }

    /// <summary>Checks the options; throws <see cref="ArgumentException"/> with one line. Returns how long the guest
    /// polls after a frame before it sleeps (infinite: never sleeps).</summary>
    public TimeSpan Validate()
    {
        if (Count is < 1 or > 1_000_000)
            throw new ArgumentException($"--count must be 1..1000000, not {Count}");
        if (Size is < 0 or > MaxSize)
            throw new ArgumentException($"--size must be 0..{MaxSize} (a 9000-byte MTU), not {Size}");
        if (PollMicros is < 0 or > 1_000_000)
            throw new ArgumentException($"--poll-us must be 0..1000000, not {PollMicros.ToString(CultureInfo.InvariantCulture)}");
        return Mode switch
        {
            "poll" => Timeout.InfiniteTimeSpan,
            "event" => TimeSpan.Zero,
            "hybrid" => TimeSpan.FromMicroseconds(PollMicros),
            _ => throw new ArgumentException($"unknown --mode '{Mode}' (use poll, event or hybrid)"),
        };
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
