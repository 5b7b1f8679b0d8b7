using System.Buffers.Binary;
using Ring.Harness.Net;
using static Ring.Tests.Support.TestFrames;

namespace Ring.Tests;

/// <summary>
/// The pcap writer and reader on their own: a round trip keeps every frame and its nanosecond timestamp, long frames
/// are cut at the snap length, the reader takes both timestamp units in both byte orders, and every malformed file is
/// one <see cref="PcapFormatException"/> naming what is wrong. <see cref="PcapToolTests"/> checks the same files
/// against tshark and text2pcap.
/// </summary>
public sealed class PcapTests
{
    private const long Epoch2025 = 1_735_689_600L * 1_000_000_000L;

    [Fact]
    public void WriteThenRead_Frames_RoundTripWithTimestamps()
    {
        byte[][] frames = [ArpRequest(GuestIp), EchoRequest(), EchoRequest(dataLength: 8000), [], [0x42]];
        var file = new MemoryStream();
        using (var writer = new PcapWriter(file, leaveOpen: true))
        {
            for (int i = 0; i < frames.Length; i++)
                writer.Write(frames[i], Epoch2025 + i * 1_000_000_123L);
            Assert.Equal(frames.Length, writer.Frames);
        }

        file.Position = 0;
        using var reader = new PcapReader(file);
        Assert.True(reader.NanosecondTimestamps);
        Assert.Equal((uint)PcapFormat.DefaultSnapLength, reader.SnapLength);
        byte[] buffer = new byte[9100];
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(reader.TryRead(buffer, out var record), $"record {i + 1} missing");
            Assert.Equal(Epoch2025 + i * 1_000_000_123L, record.UnixNanoseconds);
            Assert.Equal(frames[i].Length, record.OriginalLength);
            Assert.Equal(frames[i], buffer[..record.CapturedLength]);
        }
        Assert.False(reader.TryRead(buffer, out _));
        Assert.Equal(frames.Length, reader.Records);
    }

    [Fact]
    public void Write_FileHeader_IsLittleEndianNanosecondEthernet()
    {
        var file = new MemoryStream();
        new PcapWriter(file, leaveOpen: true).Dispose();

        // magic a1b23c4d, version 2.4, two reserved words, snap length 262144, link type 1, all little-endian.
        Assert.Equal(Convert.FromHexString("4d3cb2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000"),
            file.ToArray());
    }

    [Fact]
    public void Write_FrameLongerThanSnapLength_IsCutAndKeepsOriginalLength()
    {
        var file = new MemoryStream();
        byte[] jumbo = EchoRequest(dataLength: 70_000 - 42);
        using (var writer = new PcapWriter(file, snapLength: 65_535, leaveOpen: true))
            writer.Write(jumbo, Epoch2025);

        file.Position = 0;
        using var reader = new PcapReader(file);
        byte[] buffer = new byte[70_000];
        Assert.True(reader.TryRead(buffer, out var record));
        Assert.Equal(65_535, record.CapturedLength);
        Assert.Equal(70_000, record.OriginalLength);
        Assert.Equal(jumbo[..65_535], buffer[..65_535]);
    }

    [Fact]
    public void Write_ManyFramesThroughTheBuffer_AllReachTheFileInOrder()
    {
        var file = new MemoryStream();
        using (var writer = new PcapWriter(file, leaveOpen: true))
        {
            for (int i = 0; i < 1000; i++)
                writer.Write(EchoRequest(dataLength: i % 1400, sequence: (ushort)i), Epoch2025 + i);
        }

        file.Position = 0;
        using var reader = new PcapReader(file);
        byte[] buffer = new byte[2000];
        int count = 0;
        while (reader.TryRead(buffer, out var record))
        {
            Assert.Equal(count, BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(14 + 20 + 6)));
            Assert.Equal(Epoch2025 + count, record.UnixNanoseconds);
            count++;
        }
        Assert.Equal(1000, count);
    }

    [Fact]
    public void WriteAndRead_PerFrame_AllocateNothing()
    {
        byte[] frame = EchoRequest(dataLength: 1000);
        var file = new MemoryStream(capacity: 4 << 20);
        using var writer = new PcapWriter(file, leaveOpen: true);
        for (int i = 0; i < 100; i++)
            writer.Write(frame);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++)
            writer.Write(frame);
        writer.Flush();
        long writing = GC.GetAllocatedBytesForCurrentThread() - before;

        file.Position = 0;
        using var reader = new PcapReader(file, leaveOpen: true);
        byte[] buffer = new byte[2000];
        reader.TryRead(buffer, out _);
        before = GC.GetAllocatedBytesForCurrentThread();
        while (reader.TryRead(buffer, out _))
        {
        }
        long reading = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, writing);
        Assert.Equal(0, reading);
        Assert.Equal(2100, reader.Records);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Read_EitherMagicEitherByteOrder_ReadsFramesAndTimestamps(bool bigEndian, bool nanoseconds)
    {
        byte[] frame = EchoRequest();
        byte[] file = HandWritten(bigEndian, nanoseconds, snapLength: 65_535, (1_700_000_000, 123_456, frame));

        using var reader = new PcapReader(new MemoryStream(file));
        byte[] buffer = new byte[2000];

        Assert.Equal(nanoseconds, reader.NanosecondTimestamps);
        Assert.True(reader.TryRead(buffer, out var record));
        Assert.Equal(1_700_000_000L * 1_000_000_000 + 123_456 * (nanoseconds ? 1 : 1000), record.UnixNanoseconds);
        Assert.Equal(frame, buffer[..record.CapturedLength]);
        Assert.False(reader.TryRead(buffer, out _));
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "empty file", "truncated file header (0 of 24 bytes)" },
        { "file header of 23 bytes", "truncated file header (23 of 24 bytes)" },
        { "bad magic", "bad magic 0x0badf00d: not a pcap file" },
        { "pcapng", "a pcapng file, not classic pcap" },
        { "version 1.0", "unsupported version 1.0" },
        { "link type 113", "link type 113 is not Ethernet (1)" },
        { "record header of 7 bytes", "record 2: truncated record header (7 of 16 bytes)" },
        { "record cut short", "record 2: truncated record (50 of 98 bytes)" },
        { "captured length above snap length", "record 1: captured length 65536 exceeds the snap length 65535" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Read_MalformedFile_ThrowsOneLineFormatError(string name, string expected)
    {
        byte[] file = MalformedFile(name);

        var error = Assert.Throws<PcapFormatException>(() =>
        {
            using var reader = new PcapReader(new MemoryStream(file), "x.pcap");
            byte[] buffer = new byte[70_000];
            while (reader.TryRead(buffer, out _))
            {
            }
        });

        Assert.StartsWith("x.pcap: ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Read_RecordLongerThanBuffer_ThrowsArgumentExceptionNamingBoth()
    {
        byte[] file = HandWritten(false, true, 65_535, (1, 0, EchoRequest(dataLength: 1000)));
        using var reader = new PcapReader(new MemoryStream(file), "x.pcap");

        var error = Assert.Throws<ArgumentException>(() => reader.TryRead(new byte[1000], out _));

        Assert.Equal("x.pcap: record 1: 1042 bytes do not fit the 1000-byte buffer", error.Message);
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => new PcapReader(Path.Combine(Path.GetTempPath(), $"none-{Guid.NewGuid():N}.pcap")));

    [Fact]
    public void Writer_SnapLengthBelow65535_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PcapWriter(new MemoryStream(), snapLength: 1500));

    private static byte[] MalformedFile(string name)
    {
        byte[] frame = EchoRequest(); // 98 bytes
        byte[] good = HandWritten(false, false, 65_535, (1, 0, frame), (2, 0, frame));
        switch (name)
        {
            case "empty file": return [];
            case "file header of 23 bytes": return good[..23];
            case "bad magic": BinaryPrimitives.WriteUInt32LittleEndian(good, 0x0badf00d); return good;
            case "pcapng": BinaryPrimitives.WriteUInt32LittleEndian(good, 0x0A0D0D0A); return good;
            case "version 1.0": good[4] = 1; good[6] = 0; return good;
            case "link type 113": good[20] = 113; return good;
            case "record header of 7 bytes": return good[..(24 + 16 + 98 + 7)];
            case "record cut short": return good[..(24 + 16 + 98 + 16 + 50)];
            case "captured length above snap length":
                return HandWritten(false, false, 65_535, (1, 0, new byte[65_536]));
            default: throw new ArgumentException(name);
        }
    }

    /// <summary>A pcap file written field by field, in either byte order and timestamp unit, without the writer.</summary>
    private static byte[] HandWritten(bool bigEndian, bool nanoseconds, uint snapLength, params (uint Seconds, uint Fraction, byte[] Frame)[] records)
    {
        var file = new List<byte>();
        void U32(uint v)
        {
            byte[] b = new byte[4];
            if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(b, v); else BinaryPrimitives.WriteUInt32LittleEndian(b, v);
            file.AddRange(b);
        }
        void U16(ushort v)
        {
            byte[] b = new byte[2];
            if (bigEndian) BinaryPrimitives.WriteUInt16BigEndian(b, v); else BinaryPrimitives.WriteUInt16LittleEndian(b, v);
            file.AddRange(b);
        }
        U32(nanoseconds ? 0xA1B23C4D : 0xA1B2C3D4);
        U16(2);
        U16(4);
        U32(0);
        U32(0);
        U32(snapLength);
        U32(1);
        foreach (var (seconds, fraction, frame) in records)
        {
            U32(seconds);
            U32(fraction);
            U32((uint)frame.Length);
            U32((uint)frame.Length);
            file.AddRange(frame);
        }
        return file.ToArray();
    }
}
