using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using Ring.Layout;
using Ring.Region;

namespace Ring.Tests;

/// <summary>The layout RegionGeometry computes, at the corners of its range, and the constants it builds on.</summary>
public sealed class LayoutTests
{
    /// <summary>Every combination of 1 and 16 queue pairs, ring size 16 and 32768, buffer size 64 and 65536.</summary>
    public static TheoryData<int, int, int> Geometries
    {
        get
        {
            var data = new TheoryData<int, int, int>();
            foreach (int queuePairs in new[] { 1, RegionLayout.MaxQueuePairs })
                foreach (int ringSize in new[] { 1 << RingLayout.MinSizeLog2, 1 << RingLayout.MaxSizeLog2 })
                    foreach (int bufferSize in new[] { RegionGeometry.MinBufferSize, RegionGeometry.MaxBufferSize })
                        data.Add(queuePairs, ringSize, bufferSize);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Geometry_CornerOfRange_IsValid(int queuePairs, int ringSize, int bufferSize)
    {
        Assert.Null(RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize).Validate());
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Geometry_Structures_DoNotOverlapAndFillTheRegion(int queuePairs, int ringSize, int bufferSize)
    {
        var geometry = RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize);
        var spans = Structures(geometry).OrderBy(s => s.Offset).ToList();

        Assert.Equal(0, spans[0].Offset);
        for (int i = 0; i + 1 < spans.Count; i++)
            Assert.True(spans[i].End <= spans[i + 1].Offset,
                $"{spans[i].Name} [{spans[i].Offset}, {spans[i].End}) overlaps {spans[i + 1].Name} at {spans[i + 1].Offset}");
        Assert.Equal(geometry.RegionLength, spans[^1].End);
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Geometry_RingsAndCounters_Are128ByteAligned(int queuePairs, int ringSize, int bufferSize)
    {
        var geometry = RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize);
        var shared = new List<(string Name, long Offset)>
        {
            ("status", RegionLayout.StatusOffset),
            ("driver pid", RegionLayout.DriverPidOffset),
            ("queue table", RegionLayout.QueueTableOffset),
        };
        for (int q = 0; q < queuePairs; q++)
        {
            var o = geometry.QueuePair(q);
            shared.Add(($"queue {q} RX end of stream", o.Control + QueueControlLayout.RxEndOfStreamOffset));
            shared.Add(($"queue {q} TX end of stream", o.Control + QueueControlLayout.TxEndOfStreamOffset));
            shared.Add(($"queue {q} guest doorbell", o.Control + QueueControlLayout.GuestDoorbellOffset));
            shared.Add(($"queue {q} guest needs wakeup", o.Control + QueueControlLayout.GuestNeedsWakeupOffset));
            shared.Add(($"queue {q} device doorbell", o.Control + QueueControlLayout.DeviceDoorbellOffset));
            shared.Add(($"queue {q} device needs wakeup", o.Control + QueueControlLayout.DeviceNeedsWakeupOffset));
            foreach (var (name, ring) in Rings(o))
            {
                shared.Add(($"queue {q} {name} producer index", ring + RingLayout.ProducerIndexOffset));
                shared.Add(($"queue {q} {name} consumer index", ring + RingLayout.ConsumerIndexOffset));
                shared.Add(($"queue {q} {name} entries", ring + RingLayout.EntriesOffset));
            }
        }

        Assert.All(shared, s => Assert.True(s.Offset % RegionLayout.BlockLength == 0, $"{s.Name} at {s.Offset}"));
    }

    [Theory]
    [MemberData(nameof(Geometries))]
    public void Geometry_Pool_IsPageAligned(int queuePairs, int ringSize, int bufferSize)
    {
        var geometry = RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize);

        var last = geometry.QueuePair(queuePairs - 1);
        long queuesEnd = last.TxCompletion + RingLayout.Length(ringSize, DescriptorLayout.OffsetEntryLength);

        Assert.Equal(0, geometry.PoolOffset % RegionLayout.PoolAlignment);
        Assert.InRange(geometry.PoolOffset - queuesEnd, 0, RegionLayout.PoolAlignment - 1); // no more padding than alignment needs
    }

    [Fact]
    public void Descriptor_StructSize_EqualsDescriptorLayoutLength()
    {
        Assert.Equal(DescriptorLayout.Length, Unsafe.SizeOf<Ring.Rings.Descriptor>());
    }

    [Fact]
    public void Magic_LittleEndianBytes_SpellRingshm1()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, RegionLayout.Magic);

        Assert.Equal("RINGSHM1", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void QueueTable_MaxQueuePairs_FitsBeforeHeaderLength()
    {
        Assert.True(RegionLayout.QueueTableOffset + RegionLayout.MaxQueuePairs * RegionLayout.QueueEntryLength <= RegionLayout.HeaderLength);
        Assert.True(QueueTableLayout.TxCompletionOffset + sizeof(ulong) <= RegionLayout.QueueEntryLength);
    }

    [Fact]
    public void Header_FieldGroups_EndBeforeTheNextBlock()
    {
        Assert.True(RegionLayout.RegionLengthOffset + sizeof(ulong) <= RegionLayout.StatusOffset);
        Assert.True(RegionLayout.ViolationOffset + sizeof(uint) <= RegionLayout.DriverPidOffset);
        Assert.True(RegionLayout.DevicePidOffset + sizeof(int) <= RegionLayout.QueueTableOffset);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(-1)]
    public void Validate_QueuePairsOutOfRange_ReturnsProblem(int queuePairs)
    {
        var problem = new RegionGeometry(queuePairs, 1024, 2048, 2048).Validate();

        Assert.NotNull(problem);
        Assert.Contains("queue pairs", problem);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(3 << 10)]
    [InlineData(8)]       // a power of two, below 2^MinSizeLog2
    [InlineData(1 << 16)] // a power of two, above 2^MaxSizeLog2
    [InlineData(0)]
    public void Validate_RingSizeNotPowerOfTwoInRange_ReturnsProblem(int ringSize)
    {
        var problem = new RegionGeometry(1, ringSize, 2048, 2048).Validate();

        Assert.NotNull(problem);
        Assert.Contains("ring size", problem);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(1500)]
    [InlineData(65535)]
    [InlineData(32)]      // a power of two, below MinBufferSize
    [InlineData(1 << 17)] // a power of two, above MaxBufferSize
    [InlineData(0)]
    public void Validate_BufferSizeNotPowerOfTwoInRange_ReturnsProblem(int bufferSize)
    {
        var problem = new RegionGeometry(1, 1024, bufferSize, 2048).Validate();

        Assert.NotNull(problem);
        Assert.Contains("buffer size", problem);
    }

    private sealed record Extent(string Name, long Offset, long Length)
    {
        public long End => Offset + Length;
    }

    private static IEnumerable<Extent> Structures(RegionGeometry geometry)
    {
        int n = geometry.RingSize;
        yield return new Extent("header", 0, RegionLayout.HeaderLength);
        for (int q = 0; q < geometry.QueuePairs; q++)
        {
            var o = geometry.QueuePair(q);
            yield return new Extent($"queue {q} control", o.Control, QueueControlLayout.Length);
            yield return new Extent($"queue {q} RX fill", o.RxFill, RingLayout.Length(n, DescriptorLayout.OffsetEntryLength));
            yield return new Extent($"queue {q} RX completion", o.RxCompletion, RingLayout.Length(n, DescriptorLayout.Length));
            yield return new Extent($"queue {q} TX", o.Tx, RingLayout.Length(n, DescriptorLayout.Length));
            yield return new Extent($"queue {q} TX completion", o.TxCompletion, RingLayout.Length(n, DescriptorLayout.OffsetEntryLength));
        }
        yield return new Extent("pool", geometry.PoolOffset, geometry.PoolLength);
    }

    private static IEnumerable<(string Name, long Offset)> Rings(QueuePairOffsets o) =>
    [
        ("RX fill", o.RxFill),
        ("RX completion", o.RxCompletion),
        ("TX", o.Tx),
        ("TX completion", o.TxCompletion),
    ];
}
