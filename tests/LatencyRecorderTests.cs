using System.Buffers.Binary;
using HdrHistogram;
using Ring.Harness.Traffic;

namespace Ring.Tests;

/// <summary>The receiver records latency from stamps the peer wrote: any bytes at all must be recorded or ignored,
/// never thrown on.</summary>
public sealed class LatencyRecorderTests
{
    private static byte[] Packet(int length, long stamp)
    {
        var bytes = new byte[length];
        if (length >= LatencyRecorder.StampOffset + sizeof(long))
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(LatencyRecorder.StampOffset), stamp);
        return bytes;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData(15)]
    public void Record_PacketTooShortForAStamp_IsIgnored(int length)
    {
        var recorder = new LatencyRecorder();

        recorder.BeginBurst();
        recorder.Record(Packet(length, 0));
        recorder.EndBurst();

        Assert.Equal(0, recorder.Histogram.TotalCount);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    public void Record_WildStamp_IsClampedIntoTheHistogram(long stamp)
    {
        var recorder = new LatencyRecorder();

        recorder.BeginBurst();
        recorder.Record(Packet(64, stamp));
        recorder.EndBurst();

        Assert.Equal(1, recorder.Histogram.TotalCount);
        Assert.InRange(recorder.Histogram.GetMaxValue(), 0, recorder.Histogram.HighestTrackableValue * 2);
    }

    [Fact]
    public void Record_UnstampedPacket_IsNotRecorded()
    {
        var recorder = new LatencyRecorder();

        recorder.BeginBurst();
        recorder.Record(Packet(64, 0));
        recorder.EndBurst();

        Assert.Equal(0, recorder.Histogram.TotalCount);
    }
}
