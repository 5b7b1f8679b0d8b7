using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using HdrHistogram;

namespace Ring.Harness.Traffic;

/// <summary>
/// One-way latency of received packets: each carries the sender's monotonic timestamp (Stopwatch ticks, which on
/// Linux is CLOCK_MONOTONIC, one clock for every process on the machine) in bytes 8..15, and the receiver records
/// <c>now - stamp</c> into an HdrHistogram. A stamp of 0 means "not sampled" (see <see cref="ShouldStamp"/>). The
/// receiver reads the clock at most once per burst, only when the burst holds a stamped packet, and packets stamped
/// in the same sender burst (the same stamp) are recorded with one call and a count.
/// </summary>
/// <remarks>
/// A clock read costs about 20 ns here, and at saturation a side has about 7 ns per packet, so an unpaced sender
/// stamps one burst in <see cref="SampleEveryBursts"/>: latency at saturation is queueing delay, which a sample of
/// thousands of bursts a second describes as well as all of them.
/// </remarks>
public sealed class LatencyRecorder
{
    /// <summary>Where the timestamp sits in a packet.</summary>
    public const int StampOffset = sizeof(ulong);

    /// <summary>An unpaced sender stamps one burst in this many.</summary>
    public const int SampleEveryBursts = 8;

    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>Whether a sender stamps burst number <paramref name="burst"/>: every burst when paced (it reads the
    /// clock for pacing anyway), else one in <see cref="SampleEveryBursts"/>.</summary>
    public static bool ShouldStamp(bool paced, ulong burst) => paced || burst % SampleEveryBursts == 0;

    /// <summary>Latencies in nanoseconds, 1 ns to 1 hour, 3 significant digits.</summary>
    public LongHistogram Histogram { get; } = new(TimeSpan.FromHours(1).Ticks * 100, 3);

    private long _runStamp;
    private long _runCount;
    private long _now;

    /// <summary>Begins a received burst; the clock is read when its first stamped packet is recorded.</summary>
    public void BeginBurst() => _now = 0;

    /// <summary>Records one packet of the current burst. A packet too short to carry a stamp is not recorded (the
    /// sequence check counts it as bad).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < StampOffset + sizeof(long))
            return;
        long stamp = BinaryPrimitives.ReadInt64LittleEndian(payload[StampOffset..]);
        if (stamp != 0) // 0: not sampled
            RecordStamped(stamp);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void RecordStamped(long stamp)
    {
        if (_now == 0)
            _now = Stopwatch.GetTimestamp();
        if (stamp == _runStamp && _runCount != 0)
        {
            _runCount++;
            return;
        }
        EndBurst();
        _runStamp = stamp;
        _runCount = 1;
    }

    /// <summary>Records what the current burst still holds back.</summary>
    public void EndBurst()
    {
        if (_runCount == 0)
            return;
        // The stamp is the peer's: any value. In double, the difference cannot overflow; a stamp from the future
        // counts as 0 and one older than the histogram's range as its top value, so a wild stamp cannot throw.
        double nanos = ((double)_now - _runStamp) * NanosPerTick;
        long value = nanos <= 0 ? 0 : nanos >= Histogram.HighestTrackableValue ? Histogram.HighestTrackableValue : (long)nanos;
        Histogram.RecordValueWithCount(value, _runCount);
        _runCount = 0;
    }

    /// <summary>Adds <paramref name="other"/>'s recorded values into this one.</summary>
    public void Add(LatencyRecorder other) => Histogram.Add(other.Histogram);
}
