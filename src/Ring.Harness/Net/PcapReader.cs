using System.Buffers.Binary;

namespace Ring.Harness.Net;

/// <summary>
/// Reads a classic pcap file (<see cref="PcapFormat"/>) of Ethernet frames, as written by tcpdump, tshark,
/// text2pcap or <see cref="PcapWriter"/>: microsecond or nanosecond timestamps, in either byte order. Each
/// <see cref="TryRead"/> copies one frame into the caller's buffer and allocates nothing. Anything malformed is one
/// <see cref="PcapFormatException"/> with a one-line message; the reader never reads past what a header promised.
/// </summary>
public sealed class PcapReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly string _source;
    private readonly bool _bigEndian;
    private readonly long _fractionToNanoseconds;
    private readonly byte[] _recordHeader = new byte[PcapFormat.RecordHeaderLength];
    private bool _disposed;

    /// <summary>Opens <paramref name="path"/> and reads its file header.</summary>
    public PcapReader(string path)
        : this(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16), path, leaveOpen: false)
    {
    }

    /// <summary>Reads the file header from <paramref name="stream"/>; <paramref name="source"/> names it in messages.</summary>
    public PcapReader(Stream stream, string source = "pcap stream", bool leaveOpen = false)
    {
        _stream = stream;
        _source = source;
        _leaveOpen = leaveOpen;
        try
        {
            Span<byte> header = stackalloc byte[PcapFormat.FileHeaderLength];
            int got = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (got < header.Length)
                throw Error($"truncated file header ({got} of {PcapFormat.FileHeaderLength} bytes)");
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(header);
            (_bigEndian, NanosecondTimestamps) = magic switch
            {
                PcapFormat.MagicMicroseconds => (false, false),
                PcapFormat.MagicNanoseconds => (false, true),
                _ when BinaryPrimitives.ReverseEndianness(magic) == PcapFormat.MagicMicroseconds => (true, false),
                _ when BinaryPrimitives.ReverseEndianness(magic) == PcapFormat.MagicNanoseconds => (true, true),
                PcapFormat.MagicPcapng => throw Error("a pcapng file, not classic pcap (convert it: editcap -F pcap IN OUT)"),
                _ => throw Error($"bad magic 0x{magic:x8}: not a pcap file"),
            };
            _fractionToNanoseconds = NanosecondTimestamps ? 1 : 1000;
            int major = ReadUInt16(header[PcapFormat.VersionMajorOffset..]);
            int minor = ReadUInt16(header[PcapFormat.VersionMinorOffset..]);
            if (major != PcapFormat.VersionMajor)
                throw Error($"unsupported version {major}.{minor} (expected {PcapFormat.VersionMajor}.{PcapFormat.VersionMinor})");
            SnapLength = ReadUInt32(header[PcapFormat.SnapLengthOffset..]);
            LinkType = ReadUInt32(header[PcapFormat.LinkTypeOffset..]) & 0xFFFF;
            if (LinkType != PcapFormat.LinkTypeEthernet)
                throw Error($"link type {LinkType} is not Ethernet ({PcapFormat.LinkTypeEthernet})");
        }
        catch
        {
            if (!leaveOpen)
                _stream.Dispose();
            throw;
        }
    }

    /// <summary>Whether timestamps are in nanoseconds (else microseconds).</summary>
    public bool NanosecondTimestamps { get; }

    /// <summary>The largest captured length the file header allows.</summary>
    public uint SnapLength { get; }

    /// <summary>The link type (1: Ethernet, the only one read).</summary>
    public uint LinkType { get; }

    /// <summary>Records read so far.</summary>
    public long Records { get; private set; }

    /// <summary>
    /// Reads the next record into <paramref name="buffer"/>. Returns false at the end of the file (nothing after the
    /// last whole record). Throws <see cref="PcapFormatException"/> for a truncated record header or record, or a
    /// captured length above the snap length, and <see cref="ArgumentException"/> when the record is longer than
    /// <paramref name="buffer"/>.
    /// </summary>
    public bool TryRead(Span<byte> buffer, out PcapRecord record)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        record = default;
        var header = _recordHeader.AsSpan();
        int got = _stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (got == 0)
            return false;
        long number = Records + 1;
        if (got < header.Length)
            throw Error($"record {number}: truncated record header ({got} of {PcapFormat.RecordHeaderLength} bytes)");
        uint seconds = ReadUInt32(header[PcapFormat.SecondsOffset..]);
        uint fraction = ReadUInt32(header[PcapFormat.FractionOffset..]);
        uint captured = ReadUInt32(header[PcapFormat.CapturedLengthOffset..]);
        uint original = ReadUInt32(header[PcapFormat.OriginalLengthOffset..]);
        if (captured > SnapLength)
            throw Error($"record {number}: captured length {captured} exceeds the snap length {SnapLength}");
        if (captured > buffer.Length)
            throw new ArgumentException($"{_source}: record {number}: {captured} bytes do not fit the {buffer.Length}-byte buffer");
        got = captured == 0 ? 0 : _stream.ReadAtLeast(buffer[..(int)captured], (int)captured, throwOnEndOfStream: false);
        if (got < captured)
            throw Error($"record {number}: truncated record ({got} of {captured} bytes)");
        Records = number;
        record = new PcapRecord(seconds * 1_000_000_000L + fraction * _fractionToNanoseconds, (int)captured,
            (int)Math.Min(original, int.MaxValue));
        return true;
    }

    /// <summary>Closes the file (unless the stream was to be left open).</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_leaveOpen)
            _stream.Dispose();
    }

    private ushort ReadUInt16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint ReadUInt32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);

    private PcapFormatException Error(string what) => new($"{_source}: {what}");
}
