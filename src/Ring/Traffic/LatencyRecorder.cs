using System.Buffers.Binary;
using System.Diagnostics;
using HdrHistogram;

namespace Ring.Traffic;

/// <summary>
/// One-way latency of received packets: each carries the sender's monotonic timestamp (Stopwatch ticks, which on
/// Linux is CLOCK_MONOTONIC, one clock for every process on the machine) in bytes 8..15, and the receiver records
/// <c>now - stamp</c> into an HdrHistogram. The receiver reads the clock once per burst, and packets stamped in the
/// same sender burst (the same stamp) are recorded with one call and a count.
/// </summary>
public sealed class LatencyRecorder
{
    /// <summary>Where the timestamp sits in a packet.</summary>
    public const int StampOffset = sizeof(ulong);

    private static readonly double NanosPerTick = 1e9 / Stopwatch.Frequency;

    /// <summary>Latencies in nanoseconds, 1 ns to 1 hour, 3 significant digits.</summary>
    public LongHistogram Histogram { get; } = new(TimeSpan.FromHours(1).Ticks * 100, 3);

    private long _runStamp;
    private long _runCount;
    private long _now;

    /// <summary>Begins a burst received at <paramref name="now"/> (Stopwatch ticks).</summary>
    public void BeginBurst(long now) => _now = now;

    /// <summary>Records one packet of the current burst.</summary>
    public void Record(ReadOnlySpan<byte> payload)
    {
        long stamp = BinaryPrimitives.ReadInt64LittleEndian(payload[StampOffset..]);
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
        long nanos = (long)((_now - _runStamp) * NanosPerTick);
        Histogram.RecordValueWithCount(Math.Max(0, nanos), _runCount);
        _runCount = 0;
    }

    /// <summary>Adds <paramref name="other"/>'s recorded values into this one.</summary>
    public void Add(LatencyRecorder other) => Histogram.Add(other.Histogram);
}
