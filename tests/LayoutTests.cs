using Ring.Control;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using CsCheck;
using Ring.Layout;
using Ring.Memory;
using Ring.Region;
using Ring.Rings;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The layout <see cref="RegionGeometry"/> computes, at the corners of its range and for the default options; the
/// constants it builds on; the exact divide by the stride (<see cref="BufferIndexer"/>) against real division; and
/// <see cref="HeaderCheck.Validate"/> refusing a header with any one field corrupted, with the right reason.
/// </summary>
public sealed unsafe class LayoutTests
{
    /// <summary>Every combination of 1 and 16 queue pairs, ring size 16 and 32768, buffer size 64, 2048 and 65536, and
    /// buffers per ring 1, 4 (the default) and 64 times the ring size.</summary>
    public static TheoryData<int, int, int, int> Corners
    {
        get
        {
            var data = new TheoryData<int, int, int, int>();
            foreach (int queuePairs in new[] { 1, GuestOptions.MaxQueuePairs })
                foreach (int ringSize in new[] { GuestOptions.MinRingSize, GuestOptions.MaxRingSize })
                    foreach (int bufferSize in new[] { GuestOptions.MinBufferSize, 2048, GuestOptions.MaxBufferSize })
                        foreach (int rings in new[] { 1, 4, 64 })
                            data.Add(queuePairs, ringSize, bufferSize, rings * ringSize);
            return data;
        }
    }

    /// <summary>The corners whose pool fits in 4 GiB, and so can be laid out.</summary>
    public static TheoryData<int, int, int, int> ValidCorners
    {
        get
        {
            var data = new TheoryData<int, int, int, int>();
            foreach (var row in Corners)
            {
                var (q, n, b, perRing) = ((int)row[0], (int)row[1], (int)row[2], (int)row[3]);
                if (RegionGeometry.ForQueues(q, n, b, perRing).PoolLength <= RegionGeometry.MaxPoolLength)
                    data.Add(q, n, b, perRing);
            }
            return data;
        }
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(65, 128)]
    [InlineData(100, 128)]
    [InlineData(128, 128)]
    [InlineData(129, 192)]
    [InlineData(192, 192)]
    [InlineData(1500, 1536)]
    [InlineData(2048, 2048)] // the default: packed, measured faster than an odd number of lines (2112)
    [InlineData(4096, 4096)]
    [InlineData(65535, 65536)]
    [InlineData(65536, 65536)]
    public void StrideFor_BufferSize_IsTheSizeRoundedUpToACacheLine(int bufferSize, int stride)
    {
        Assert.Equal(stride, RegionGeometry.StrideFor(bufferSize));
    }

    [Fact]
    public void StrideFor_EveryBufferSizeInRange_IsTheFewestWholeCacheLinesThatHoldIt()
    {
        for (int size = GuestOptions.MinBufferSize; size <= GuestOptions.MaxBufferSize; size++)
        {
            int stride = RegionGeometry.StrideFor(size);
            Assert.True(stride % RegionLayout.CacheLineLength == 0 && stride >= size,
                $"buffer size {size}: stride {stride} is not a whole number of lines that holds it");
            Assert.True(stride - RegionLayout.CacheLineLength < size, $"buffer size {size}: stride {stride} has a line to spare");
            Assert.Null(new RegionGeometry(1, 16, size, 32, stride).Validate()); // and the device accepts it
        }
    }

    [Theory]
    [MemberData(nameof(Corners))]
    public void Validate_CornerOfOptionsRange_RefusesOnlyAPoolOver4GiB(int queuePairs, int ringSize, int bufferSize, int buffersPerRing)
    {
        var geometry = RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize, buffersPerRing);

        string? problem = geometry.Validate();

        if (geometry.PoolLength <= RegionGeometry.MaxPoolLength)
            Assert.Null(problem);
        else
            Assert.Contains("at most 4 GiB", problem);
    }

    [Theory]
    [MemberData(nameof(ValidCorners))]
    public void Geometry_Structures_DoNotOverlapAndLeaveNoGapButThePoolsPadding(int queuePairs, int ringSize, int bufferSize, int buffersPerRing)
    {
        var geometry = RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize, buffersPerRing);
        var spans = Structures(geometry).OrderBy(s => s.Offset).ToList();

        Assert.Equal(0, spans[0].Offset);
        for (int i = 0; i + 1 < spans.Count; i++)
        {
            var (here, next) = (spans[i], spans[i + 1]);
            if (next.Name == "pool")
                Assert.InRange(next.Offset - here.End, 0, RegionLayout.PoolAlignment - 1);
            else
                Assert.True(here.End == next.Offset, $"{here.Name} [{here.Offset}, {here.End}) and {next.Name} at {next.Offset}: overlap or gap");
        }
        Assert.Equal(geometry.RegionLength, spans[^1].End);
        Assert.Equal(0, geometry.PoolOffset % RegionLayout.PoolAlignment);
    }

    [Theory]
    [MemberData(nameof(ValidCorners))]
    public void Geometry_EveryIndependentlyWrittenWord_StartsItsOwn128ByteBlock(int queuePairs, int ringSize, int bufferSize, int buffersPerRing)
    {
        var geometry = RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize, buffersPerRing);
        var starts = new List<(string Name, long Offset)>
        {
            ("status", RegionLayout.StatusOffset),
            ("guest pid", RegionLayout.GuestPidOffset),
            ("queue table", RegionLayout.QueueTableOffset),
        };
        for (int q = 0; q < queuePairs; q++)
        {
            var o = geometry.QueuePair(q);
            starts.Add(($"queue {q} RX end of stream", o.Control + QueueControlLayout.RxEndOfStreamOffset));
            starts.Add(($"queue {q} TX end of stream", o.Control + QueueControlLayout.TxEndOfStreamOffset));
            starts.Add(($"queue {q} guest doorbell", o.Control + QueueControlLayout.GuestDoorbellOffset));
            starts.Add(($"queue {q} guest needs wakeup", o.Control + QueueControlLayout.GuestNeedsWakeupOffset));
            starts.Add(($"queue {q} device doorbell", o.Control + QueueControlLayout.DeviceDoorbellOffset));
            starts.Add(($"queue {q} device needs wakeup", o.Control + QueueControlLayout.DeviceNeedsWakeupOffset));
            foreach (int block in new[] { CountersLayout.GuestReceiverOffset, CountersLayout.GuestSenderOffset, CountersLayout.DeviceSenderOffset,
                         CountersLayout.DeviceReceiverOffset, CountersLayout.GuestSleeperOffset, CountersLayout.DeviceSleeperOffset })
                starts.Add(($"queue {q} counters +{block}", o.Counters + block));
            starts.Add(($"queue {q} RX fill", o.RxFill));
            starts.Add(($"queue {q} RX completion", o.RxCompletion));
            starts.Add(($"queue {q} TX", o.Tx));
            starts.Add(($"queue {q} TX completion", o.TxCompletion));
        }

        Assert.All(starts, s => Assert.True(s.Offset % RingLayout.Alignment == 0, $"{s.Name} at {s.Offset}"));
        Assert.Equal(RegionLayout.BlockLength, RingLayout.Alignment);
    }

    [Theory]
    [MemberData(nameof(ValidCorners))]
    public void Geometry_BufferPartition_EachQueueOwnsItsRxBuffersThenItsTxBuffers(int queuePairs, int ringSize, int bufferSize, int buffersPerRing)
    {
        var g = RegionGeometry.ForQueues(queuePairs, ringSize, bufferSize, buffersPerRing);

        Assert.Equal(buffersPerRing, g.BuffersPerRing);
        Assert.Equal(0UL, g.RxFirst(0));
        Assert.Equal((ulong)buffersPerRing * (ulong)g.BufferStride, g.SideLength);
        for (int q = 0; q < queuePairs; q++)
        {
            Assert.Equal(g.RxFirst(q) + g.SideLength, g.TxFirst(q));
            if (q + 1 < queuePairs)
                Assert.Equal(g.TxFirst(q) + g.SideLength, g.RxFirst(q + 1));
            // Buffer starts are multiples of a cache line, so bit 0 of a buffer entry is free for the generation.
            Assert.Equal(0UL, g.RxFirst(q) % RegionLayout.CacheLineLength);
            Assert.Equal(0UL, g.TxFirst(q) % RegionLayout.CacheLineLength);
        }
        Assert.Equal((ulong)g.PoolLength, g.TxFirst(queuePairs - 1) + g.SideLength);
        Assert.Equal(queuePairs * 2 * buffersPerRing, g.BufferCount);
    }

    [Fact]
    public void ForQueues_BuffersPerRingNotGiven_IsOneRingsWorth()
    {
        var g = RegionGeometry.ForQueues(2, 64, 2048);

        Assert.Equal(64, g.BuffersPerRing);
        Assert.Equal(RegionGeometry.ForQueues(2, 64, 2048, 64), g);
    }

    [Fact]
    public void Geometry_DefaultOptions_MatchesTheWorkedExample()
    {
        // docs/LAYOUT.md, "Worked example": 1 queue pair, n = 1024, B = 2048, S = 2048, b = 4096, C = 8192.
        var options = new GuestOptions();
        var g = RegionGeometry.ForQueues(options.QueuePairs, options.RingSize, options.BufferSize, options.BuffersPerRing);
        var q = g.QueuePair(0);

        Assert.Equal(4 * options.RingSize, options.BuffersPerRing);
        Assert.Equal(GuestOptions.DefaultBuffersPerRing(options.RingSize), options.BuffersPerRing);
        Assert.Equal(new RegionGeometry(1, 1024, 2048, 8192, 2048), g);
        Assert.Equal(4096, g.BuffersPerRing);
        Assert.Equal(new QueuePairOffsets(Control: 4096, Counters: 4864, RxFill: 5632, RxCompletion: 13824, Tx: 30208, TxCompletion: 46592), q);
        Assert.Equal(50688, g.QueuePairStride);
        Assert.Equal(57344, g.PoolOffset);
        Assert.Equal(16777216, g.PoolLength);
        Assert.Equal(16834560, g.RegionLength);
        Assert.Equal(8388608UL, g.SideLength);
        Assert.Equal(8386560UL, g.RxFirst(0) + (ulong)(g.BuffersPerRing - 1) * (ulong)g.BufferStride); // the last RX buffer
        Assert.Equal(8388608UL, g.TxFirst(0));
        Assert.Equal(16775168UL, g.TxFirst(0) + (ulong)(g.BuffersPerRing - 1) * (ulong)g.BufferStride); // the last TX buffer
    }

    [Fact]
    public void Create_DefaultOptions_WritesTheWorkedExamplesGeometryInTheHeader()
    {
        using var guest = Guest.Create(Deadline.UniqueRegionName());
        Assert.Equal(new RegionGeometry(1, 1024, 2048, 8192, 2048), HeaderCheck.Validate(guest.Region));
    }

    [Fact]
    public void Descriptor_Struct_MatchesDescriptorLayout()
    {
        var d = default(Descriptor);
        byte* at = (byte*)&d;

        Assert.Equal(DescriptorLayout.Length, Unsafe.SizeOf<Descriptor>());
        Assert.Equal(DescriptorLayout.BufferOffsetOffset, (int)((byte*)&d.BufferOffset - at));
        Assert.Equal(DescriptorLayout.ControlWord, (int)((byte*)&d.Control - at));

        d.Control = Descriptor.ControlWord(0x0102_0304, DescriptorFlags.EndOfPacket | DescriptorFlags.Generation);

        Assert.Equal(0x0102_0304u, *(uint*)(at + DescriptorLayout.LengthOffset));
        Assert.Equal((ushort)0x8001, *(ushort*)(at + DescriptorLayout.FlagsOffset));
        Assert.Equal((ushort)0, *(ushort*)(at + DescriptorLayout.ReservedOffset));
        Assert.Equal(DescriptorLayout.FlagsShift + 15, Descriptor.GenerationShift);
        Assert.Equal(1 << 15, (int)DescriptorFlags.Generation);
    }

    [Fact]
    public void Magic_LittleEndianBytes_SpellRingshm1()
    {
        Span<byte> bytes = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, RegionLayout.Magic);

        Assert.Equal("RINGSHM1", Encoding.ASCII.GetString(bytes));
        Assert.Equal(2u, RegionLayout.Version >> 16);
    }

    [Fact]
    public void Header_QueueTableAndFieldGroups_FitTheirBlocksAndThePage()
    {
        Assert.True(RegionLayout.QueueTableOffset + RegionLayout.MaxQueuePairs * RegionLayout.QueueEntryLength <= RegionLayout.HeaderLength);
        Assert.True(QueueTableLayout.TxCompletionOffset + sizeof(ulong) <= RegionLayout.QueueEntryLength);
        Assert.True(RegionLayout.RegionLengthOffset + sizeof(ulong) <= RegionLayout.StatusOffset);
        Assert.True(RegionLayout.ViolationOffset + sizeof(uint) <= RegionLayout.GuestPidOffset);
        Assert.True(RegionLayout.DeviceWaitModeOffset + sizeof(uint) <= RegionLayout.QueueTableOffset);
        Assert.Equal(GuestOptions.MaxQueuePairs, RegionLayout.MaxQueuePairs);
        Assert.Equal(GuestOptions.MinRingSize, 1 << RingLayout.MinSizeLog2);
        Assert.Equal(GuestOptions.MaxRingSize, 1 << RingLayout.MaxSizeLog2);
    }

    [Fact]
    public void Counters_EveryBlock_HoldsItsCountersAndEveryDropReason()
    {
        Assert.Equal(6 * RegionLayout.BlockLength, CountersLayout.Length);
        Assert.True(HalfCountersLayout.DropSlots >= Enum.GetValues<DropReason>().Length);
        Assert.True(HalfCountersLayout.DropsOffset + sizeof(ulong) * Enum.GetValues<DropReason>().Length <= RegionLayout.BlockLength);
        Assert.True(SleeperCountersLayout.SpuriousWakeupsOffset + sizeof(ulong) <= RegionLayout.BlockLength);
        Assert.Equal(6 * RegionLayout.BlockLength, QueueControlLayout.Length);
        // The once-written MaySleep words share the block of their side's need-wakeup flag, nothing else.
        Assert.Equal(QueueControlLayout.GuestNeedsWakeupOffset / RegionLayout.BlockLength, QueueControlLayout.GuestMaySleepOffset / RegionLayout.BlockLength);
        Assert.Equal(QueueControlLayout.DeviceNeedsWakeupOffset / RegionLayout.BlockLength, QueueControlLayout.DeviceMaySleepOffset / RegionLayout.BlockLength);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(17)]
    [InlineData(-1)]
    public void Validate_QueuePairsOutOfRange_NamesQueuePairs(int queuePairs)
    {
        Assert.Contains("queue pairs must be 1..16", new RegionGeometry(queuePairs, 16, 2048, 32, 2048).Validate());
    }

    [Theory]
    [InlineData(17)]
    [InlineData(1000)]
    [InlineData(3 << 10)]
    [InlineData(8)]       // a power of two below 2^MinSizeLog2
    [InlineData(1 << 16)] // a power of two above 2^MaxSizeLog2
    [InlineData(0)]
    public void Validate_RingSizeNotPowerOfTwoInRange_NamesRingSize(int ringSize)
    {
        Assert.Contains("ring size must be a power of two", new RegionGeometry(1, ringSize, 2048, 1 << 18, 2048).Validate());
    }

    [Theory]
    [InlineData(63)]
    [InlineData(65537)]
    [InlineData(0)]
    [InlineData(-64)]
    public void Validate_BufferSizeOutOfRange_NamesBufferSize(int bufferSize)
    {
        Assert.Contains("buffer size must be 64..65536", new RegionGeometry(1, 16, bufferSize, 32, 2112).Validate());
    }

    [Theory]
    [InlineData(2048, 1984)]   // smaller than a buffer
    [InlineData(2048, 2100)]   // not a multiple of a cache line
    [InlineData(2048, 131136)] // more than twice the largest buffer
    [InlineData(2048, 0)]
    public void Validate_StrideNotACacheLineMultipleHoldingABuffer_NamesStride(int bufferSize, int stride)
    {
        Assert.Contains("buffer stride must be", new RegionGeometry(1, 16, bufferSize, 32, stride).Validate());
    }

    [Theory]
    [InlineData(2048)] // packed: what the guest lays out
    [InlineData(2112)] // an odd number of lines, as guests before packed buffers did
    [InlineData(4096)]
    public void Validate_AnyCacheLineMultipleHoldingABuffer_IsAccepted(int stride)
    {
        // The guest lays buffers out StrideFor apart, but the device relies only on the exact divide, which any
        // cache-line multiple passes (BufferIndexer): a region whose buffers are further apart is still a valid region.
        Assert.Null(new RegionGeometry(1, 16, 2048, 32, stride).Validate());
    }

    [Theory]
    [InlineData(1, 16, 31)]
    [InlineData(2, 16, 63)]
    [InlineData(1, 16, 0)]
    public void Validate_FewerBuffersThanTheRingsNeed_NamesBufferCount(int queuePairs, int ringSize, int bufferCount)
    {
        Assert.Contains("buffer count must be at least", new RegionGeometry(queuePairs, ringSize, 64, bufferCount, 64).Validate());
    }

    [Theory]
    [InlineData(1, 16, 64)]      // 2 x 2 rings' worth
    [InlineData(2, 16, 4 * 64)]  // the default: four rings' worth each way
    [InlineData(1, 16, 64 * 32)] // the most a guest takes, 64 rings' worth each way
    [InlineData(1, 16, 33)]      // not even a whole number per direction: the device does not rely on the partition
    public void Validate_MoreBuffersThanTheRingsHold_IsAccepted(int queuePairs, int ringSize, int bufferCount)
    {
        Assert.Null(new RegionGeometry(queuePairs, ringSize, 64, bufferCount, 64).Validate());
    }

    [Fact]
    public void Validate_PoolOneCacheLineUnder4GiB_IsAcceptedAndAt4GiBRefused()
    {
        const int Buffers = 1 << 26; // 2^26 buffers of 64 bytes: 2^32 bytes

        Assert.Null(new RegionGeometry(1, 16, 64, Buffers - 1, 64).Validate());
        Assert.Contains("the pool must be at most 4 GiB, not 4294967296 bytes", new RegionGeometry(1, 16, 64, Buffers, 64).Validate());
    }

    [Fact]
    public void Create_OptionsWhosePoolExceeds4GiB_ThrowsNamingTheLimitAndCreatesNothing()
    {
        string name = Deadline.UniqueRegionName();
        var options = new GuestOptions { QueuePairs = 16, RingSize = 32768, BufferSize = 65536 };

        var e = Assert.Throws<ArgumentException>(() => Guest.Create(name, options));

        Assert.Contains("at most 4 GiB", e.Message);
        Assert.False(File.Exists(RegionPaths.ForName(name)), "a refused geometry created a region file");
    }

    [Fact]
    public void BufferIndexer_AnyStrideCountAndOffset_AgreesWithDivision()
    {
        // Strides of whole cache lines (what a region has) and any at all; counts whose run fits in 4 GiB, as the
        // pool does; offsets near multiples of the stride and near the run's end, where an off-by-one would show,
        // past 2^32, and anywhere.
        var gen =
            from stride in Gen.OneOf(Gen.Int[1, 2048].Select(lines => lines * RegionLayout.CacheLineLength), Gen.Int[1, int.MaxValue])
            from count in Gen.Int[1, (int)Math.Min(int.MaxValue, uint.MaxValue / (uint)stride)]
            from relative in Gen.OneOf(
                Gen.ULong,
                Gen.ULong[0, uint.MaxValue],
                from k in Gen.Long[0, count + 2L]
                from delta in Gen.Int[-2, 2]
                select (ulong)Math.Max(0, k * stride + delta))
            select (stride, count, relative);

        gen.Sample((stride, count, relative) =>
        {
            var indexer = new BufferIndexer(stride, count);
            bool named = indexer.TryIndex(relative, out uint index);
            Assert.Equal(relative % (ulong)stride == 0 && relative / (ulong)stride < (ulong)count, named);
            if (named)
            {
                Assert.Equal(relative / (ulong)stride, index);
                Assert.Equal(index, indexer.IndexOf(relative));
            }
        }, iter: 200_000);
    }

    [Theory]
    [InlineData(64, 1 << 26)]
    [InlineData(192, 16)]
    [InlineData(2112, 2048)]
    [InlineData(2048, 8192)] // the default geometry's pool: a power-of-two stride, so a shift and a multiply by 1
    [InlineData(65600, 65472)]
    [InlineData(131072, 32767)]
    [InlineData(3, 5)]
    public void BufferIndexer_EdgesOfTheRunAndOf32Bits_AgreeWithDivision(int stride, int count)
    {
        var indexer = new BufferIndexer(stride, count);
        ulong end = (ulong)stride * (ulong)count;
        foreach (ulong relative in new[] { 0UL, 1UL, (ulong)stride - 1, (ulong)stride, (ulong)stride + 1, end - (ulong)stride, end - 1, end,
                     end + (ulong)stride, uint.MaxValue, 1UL << 32, (1UL << 32) + (ulong)stride, ulong.MaxValue, ulong.MaxValue - (ulong)stride + 1 })
        {
            bool named = indexer.TryIndex(relative, out uint index);
            Assert.True((relative % (ulong)stride == 0 && relative / (ulong)stride < (ulong)count) == named, $"{relative} / {stride} (count {count}): {named}");
            if (named)
                Assert.Equal(relative / (ulong)stride, index);
        }
    }

    [Fact]
    public void Validate_HeaderAsTheGuestWroteIt_ReturnsItsGeometry()
    {
        var geometry = RegionGeometry.ForQueues(2, 16, 100);
        using var region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), geometry);

        Assert.Equal(geometry, HeaderCheck.Validate(region.Region));
    }

    public static TheoryData<string, RingErrorReason, string> CorruptFields => new()
    {
        { "magic zero", RingErrorReason.Foreign, "not a Ring region: magic" },
        { "magic RINGSHM2", RingErrorReason.Foreign, "not a Ring region: magic" },
        { "version 1.0", RingErrorReason.Incompatible, "layout version 1.0" },
        { "version 3.0", RingErrorReason.Incompatible, "layout version 3.0" },
        { "header length", RingErrorReason.Corrupt, "header length 4095" },
        { "descriptor size", RingErrorReason.Corrupt, "descriptor size 8" },
        { "ring log2 3", RingErrorReason.Corrupt, "ring size 2^3" },
        { "ring log2 16", RingErrorReason.Corrupt, "ring size 2^16" },
        { "queue pairs 0", RingErrorReason.Corrupt, "queue pairs must be" },
        { "queue pairs 17", RingErrorReason.Corrupt, "17 queue pairs" },
        { "buffer size 63", RingErrorReason.Corrupt, "buffer size must be" },
        { "buffer size 65537", RingErrorReason.Corrupt, "buffers of 65537 B" },
        { "buffer count too few", RingErrorReason.Corrupt, "buffer count must be at least" },
        { "buffer count 2^31", RingErrorReason.Corrupt, "2147483648 buffers" },
        { "stride below buffer size", RingErrorReason.Corrupt, "buffer stride must be" },
        { "stride not a line multiple", RingErrorReason.Corrupt, "buffer stride must be" },
        { "pool offset", RingErrorReason.Corrupt, "pool at" },
        { "pool length", RingErrorReason.Corrupt, "pool at" },
        { "region length", RingErrorReason.Corrupt, "pool at" },
        { "queue table control", RingErrorReason.Corrupt, "queue table entry 1" },
        { "queue table counters", RingErrorReason.Corrupt, "queue table entry 1" },
        { "queue table RX fill", RingErrorReason.Corrupt, "queue table entry 1" },
        { "queue table RX completion", RingErrorReason.Corrupt, "queue table entry 1" },
        { "queue table TX", RingErrorReason.Corrupt, "queue table entry 1" },
        { "queue table TX completion", RingErrorReason.Corrupt, "queue table entry 1" },
    };

    [Theory]
    [MemberData(nameof(CorruptFields))]
    public void Validate_OneFieldCorrupted_ThrowsWithReasonNamingIt(string field, RingErrorReason reason, string phrase)
    {
        var geometry = RegionGeometry.ForQueues(2, 16, 100);
        using var region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), geometry);
        var h = region.Header;
        byte* b = region.Region.Base;
        switch (field)
        {
            case "magic zero": *(ulong*)(b + RegionLayout.MagicOffset) = 0; break;
            case "magic RINGSHM2": *(ulong*)(b + RegionLayout.MagicOffset) = RegionLayout.Magic + (1UL << 56); break;
            case "version 1.0": h.Version = 1u << 16; break;
            case "version 3.0": h.Version = 3u << 16; break;
            case "header length": h.HeaderLength = RegionLayout.HeaderLength - 1; break;
            case "descriptor size": h.DescriptorSize = 8; break;
            case "ring log2 3": h.RingSizeLog2 = 3; break;
            case "ring log2 16": h.RingSizeLog2 = 16; break;
            case "queue pairs 0": h.QueuePairs = 0; break;
            case "queue pairs 17": h.QueuePairs = 17; break;
            case "buffer size 63": h.BufferSize = 63; break;
            case "buffer size 65537": h.BufferSize = 65537; break;
            case "buffer count too few": h.BufferCount = (uint)(2 * 2 * 16 - 1); break;
            case "buffer count 2^31": h.BufferCount = 1u << 31; break;
            case "stride below buffer size": h.BufferStride = 64; break;
            case "stride not a line multiple": h.BufferStride = 200; break;
            case "pool offset": h.PoolOffset += 4096; break;
            case "pool length": h.PoolLength += (ulong)geometry.BufferStride; break;
            case "region length": h.RegionLength += 4096; break;
            case "queue table control": Shift(QueueTableLayout.ControlOffset); break;
            case "queue table counters": Shift(QueueTableLayout.CountersOffset); break;
            case "queue table RX fill": Shift(QueueTableLayout.RxFillOffset); break;
            case "queue table RX completion": Shift(QueueTableLayout.RxCompletionOffset); break;
            case "queue table TX": Shift(QueueTableLayout.TxOffset); break;
            case "queue table TX completion": Shift(QueueTableLayout.TxCompletionOffset); break;
            default: throw new ArgumentOutOfRangeException(nameof(field), field, "no such case");
        }

        var e = Assert.Throws<RingException>(() => HeaderCheck.Validate(region.Region));

        Assert.Equal(reason, e.Reason);
        Assert.Contains(phrase, e.Message);

        void Shift(int entryField) => h.WriteQueueTable(1, entryField, h.ReadQueueTable(1, entryField) + RegionLayout.BlockLength);
    }

    [Fact]
    public void Validate_MinorVersionAhead_IsAccepted()
    {
        var geometry = RegionGeometry.ForQueues(1, 16, 64);
        using var region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), geometry);
        var h = region.Header;
        h.Version = RegionLayout.Version + 7;

        Assert.Equal(geometry, HeaderCheck.Validate(region.Region));
    }

    [Fact]
    public void Validate_MemoryShorterThanTheHeaderSays_ThrowsCorrupt()
    {
        var geometry = RegionGeometry.ForQueues(1, 16, 64);
        using var region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), geometry);
        var shorter = ShortCopy(region, geometry.RegionLength - 4096);
        try
        {
            var e = Assert.Throws<RingException>(() => HeaderCheck.Validate(shorter));

            Assert.Equal(RingErrorReason.Corrupt, e.Reason);
            Assert.Contains($"file is {geometry.RegionLength - 4096} bytes", e.Message);
        }
        finally
        {
            shorter.Release();
        }
    }

    [Fact]
    public void Validate_MemoryShorterThanAHeader_ThrowsForeign()
    {
        var tiny = new MappedRegion("tiny", SealedMemory.Create("tiny", 100));
        try
        {
            var e = Assert.Throws<RingException>(() => HeaderCheck.Validate(tiny));

            Assert.Equal(RingErrorReason.Foreign, e.Reason);
            Assert.Contains("shorter than a header", e.Message);
        }
        finally
        {
            tiny.Release();
        }
    }

    /// <summary>A sealed copy of the first <paramref name="length"/> bytes of <paramref name="region"/>'s memory.</summary>
    private static unsafe MappedRegion ShortCopy(HostilePeer region, long length)
    {
        var memory = SealedMemory.Create("short", length);
        new ReadOnlySpan<byte>(region.Region.Base, (int)length).CopyTo(new Span<byte>(memory.Address, (int)length));
        return new MappedRegion(region.Path + ".short", memory);
    }

    private sealed record Extent(string Name, long Offset, long Length)
    {
        public long End => Offset + Length;
    }

    private static IEnumerable<Extent> Structures(RegionGeometry g)
    {
        int n = g.RingSize;
        yield return new Extent("header", 0, RegionLayout.HeaderLength);
        for (int q = 0; q < g.QueuePairs; q++)
        {
            var o = g.QueuePair(q);
            yield return new Extent($"queue {q} control", o.Control, QueueControlLayout.Length);
            yield return new Extent($"queue {q} counters", o.Counters, CountersLayout.Length);
            yield return new Extent($"queue {q} RX fill", o.RxFill, RingLayout.Length(n, DescriptorLayout.BufferEntryLength));
            yield return new Extent($"queue {q} RX completion", o.RxCompletion, RingLayout.Length(n, DescriptorLayout.Length));
            yield return new Extent($"queue {q} TX", o.Tx, RingLayout.Length(n, DescriptorLayout.Length));
            yield return new Extent($"queue {q} TX completion", o.TxCompletion, RingLayout.Length(n, DescriptorLayout.BufferEntryLength));
        }
        yield return new Extent("pool", g.PoolOffset, g.PoolLength);
    }
}
