using Ring;
using Ring.Harness.Hosting;

namespace Ring.Harness.Traffic;

/// <summary>Range checks for the programs' numeric options, each failing with one line.</summary>
public static class OptionChecks
{
    /// <summary>The largest frame a chain of buffers carries (the library's limit, 64 KiB): a chain is at most this
    /// many bytes' worth of buffers, and at most a ring's worth.</summary>
    public const int MaxFrameLength = GuestOptions.MaxBufferSize;

    /// <summary>Packet size: at least <see cref="PacketStamper.MinSize"/>, at most what the longest chain of
    /// <paramref name="bufferSize"/>-byte buffers in rings of <paramref name="ringSize"/> carries.</summary>
    public static void PacketSize(int size, int bufferSize, int ringSize)
    {
        if (size < PacketStamper.MinSize)
            throw new ArgumentException($"--size must be at least {PacketStamper.MinSize} bytes, not {size}");
        if (size > LongestChain(bufferSize, ringSize))
            throw new ArgumentException($"--size {size} is larger than a chain of buffers carries "
                + $"({LongestChain(bufferSize, ringSize) / bufferSize} of {bufferSize} bytes)");
    }

    /// <summary>The bytes of the longest chain of <paramref name="bufferSize"/>-byte buffers in rings of
    /// <paramref name="ringSize"/>: the queue pairs' <c>MaxChainLength</c> buffers, full.</summary>
    public static int LongestChain(int bufferSize, int ringSize) =>
        Math.Min(ringSize, (MaxFrameLength + bufferSize - 1) / bufferSize) * bufferSize;

    /// <summary>
    /// The smallest buffer a device must ask for (<see cref="DeviceOptions.RequiredBufferSize"/>) to send packets of
    /// <paramref name="size"/> bytes, chained when longer than a buffer. A region's longest chain is
    /// min(ring size, ceil(64 KiB / buffer size)) buffers and its rings hold at least
    /// <see cref="GuestOptions.MinRingSize"/> entries, so buffers of size / <see cref="GuestOptions.MinRingSize"/> bytes
    /// carry it in any region: refusing smaller ones happens at attach, before the region is claimed.
    /// </summary>
    public static int SmallestBufferFor(int size) => (size + GuestOptions.MinRingSize - 1) / GuestOptions.MinRingSize;

    /// <summary>Hybrid mode's poll budget when <c>--poll-us</c> is not given, in microseconds. Measured: see
    /// docs/DOORBELL.md.</summary>
    public const double DefaultPollMicros = 50;

    /// <summary>The hybrid poll budget: <c>--poll-us</c> only goes with <c>--mode hybrid</c>, and is 0..1000000.</summary>
    public static TimeSpan PollBudget(WaitMode mode, double? pollMicros)
    {
        if (pollMicros is not null && mode != WaitMode.Hybrid)
            throw new ArgumentException($"--poll-us applies only to --mode hybrid, not --mode {mode.Name()}");
        double micros = pollMicros ?? DefaultPollMicros;
        if (!(micros >= 0 && micros <= 1_000_000))
            throw new ArgumentException($"--poll-us must be 0..1000000, not {micros}");
        return TimeSpan.FromMicroseconds(micros);
    }

    /// <summary>Builds library options, turning the library's "RingSize must be 16..32768" into the command line's
    /// "--ring-size must be 16..32768".</summary>
    public static T Named<T>(Func<T> build)
    {
        try
        {
            return build();
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is { } name)
        {
            string option = "--" + string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
            option = option switch { "--queue-pairs" => "--queues", _ => option };
            string message = e.Message.Split('\n')[0].Replace($" (Parameter '{name}')", "").Replace(name, option);
            throw new ArgumentException($"{message}, not {e.ActualValue}");
        }
    }

    /// <summary>A timeout in seconds: more than 0, at most a day.</summary>
    public static TimeSpan Timeout(string option, double seconds)
    {
        if (!(seconds > 0 && seconds <= 86400))
            throw new ArgumentException($"--{option} must be more than 0 and at most 86400 seconds, not {seconds}");
        return TimeSpan.FromSeconds(seconds);
    }
}
