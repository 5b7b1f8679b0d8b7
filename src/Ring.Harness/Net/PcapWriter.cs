using System.Buffers.Binary;
using System.Diagnostics;

namespace Ring.Harness.Net;

// Written here rather than taken from NuGet: the one well-kept pcap package there, SharpPcap, captures through the
// native libpcap (a native dependency, and it allocates a packet object per frame through PacketDotNet), and a
// classic pcap file is a 24-byte header plus a 16-byte header per record, which a span-based writer does in a page.

/// <summary>
/// Appends frames to a classic pcap file (<see cref="PcapFormat"/>): little-endian, nanosecond timestamps, link type
/// Ethernet. Records are gathered in a buffer of its own and written to the stream when it fills, on
/// <see cref="Flush"/> and on <see cref="Dispose"/>, so writing a frame copies it once and allocates nothing.
/// Frames longer than the snap length are cut to it, with their original length kept in the record.
/// </summary>
public sealed class PcapWriter : IDisposable
{
    private const int BufferLength = 1 << 16;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly byte[] _buffer = new byte[BufferLength];
    private readonly long _startUnixNanoseconds = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    private readonly long _startTimestamp = Stopwatch.GetTimestamp();
    private readonly double _nanosecondsPerTick = 1e9 / Stopwatch.Frequency;
    private int _used;
    private bool _disposed;

    /// <summary>Creates (or truncates) <paramref name="path"/> and writes the file header.</summary>
    public PcapWriter(string path, int snapLength = PcapFormat.DefaultSnapLength)
        : this(new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferSize: 0), snapLength, leaveOpen: false)
    {
    }

    /// <summary>Writes the file header to <paramref name="stream"/>, then records after it.</summary>
    public PcapWriter(Stream stream, int snapLength = PcapFormat.DefaultSnapLength, bool leaveOpen = false)
    {
        if (snapLength < ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(snapLength), snapLength, "the snap length must be at least 65535");
        _stream = stream;
        _leaveOpen = leaveOpen;
        SnapLength = snapLength;
        var header = _buffer.AsSpan(0, PcapFormat.FileHeaderLength);
        header.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.MagicOffset..], PcapFormat.MagicNanoseconds);
        BinaryPrimitives.WriteUInt16LittleEndian(header[PcapFormat.VersionMajorOffset..], PcapFormat.VersionMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(header[PcapFormat.VersionMinorOffset..], PcapFormat.VersionMinor);
        BinaryPrimitives.WriteInt32LittleEndian(header[PcapFormat.SnapLengthOffset..], snapLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.LinkTypeOffset..], PcapFormat.LinkTypeEthernet);
        _used = PcapFormat.FileHeaderLength;
    }

    /// <summary>The largest number of bytes kept of one frame.</summary>
    public int SnapLength { get; }

    /// <summary>Frames written.</summary>
    public long Frames { get; private set; }

    /// <summary>Appends <paramref name="frame"/> stamped with the current time.</summary>
    public void Write(ReadOnlySpan<byte> frame) => Write(frame, Now());

    /// <summary>Appends <paramref name="frame"/> stamped <paramref name="unixNanoseconds"/> after the Unix epoch.</summary>
    public void Write(ReadOnlySpan<byte> frame, long unixNanoseconds)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(unixNanoseconds);
        int captured = Math.Min(frame.Length, SnapLength);
        if (_used + PcapFormat.RecordHeaderLength + captured > BufferLength)
            WriteBuffer();

        var header = _buffer.AsSpan(_used, PcapFormat.RecordHeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.SecondsOffset..], (uint)(unixNanoseconds / 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(header[PcapFormat.FractionOffset..], (uint)(unixNanoseconds % 1_000_000_000));
        BinaryPrimitives.WriteInt32LittleEndian(header[PcapFormat.CapturedLengthOffset..], captured);
        BinaryPrimitives.WriteInt32LittleEndian(header[PcapFormat.OriginalLengthOffset..], frame.Length);
        _used += PcapFormat.RecordHeaderLength;

        if (captured <= BufferLength - _used)
        {
            frame[..captured].CopyTo(_buffer.AsSpan(_used));
            _used += captured;
        }
        else
        {
            // Larger than the buffer (a capture with a snap length above 64 KiB): straight to the stream.
            WriteBuffer();
            _stream.Write(frame[..captured]);
        }
        Frames++;
    }

    /// <summary>Writes every buffered record to the file.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteBuffer();
        _stream.Flush();
    }

    /// <summary>Writes what is buffered and closes the file (unless the stream was to be left open).</summary>
    public void Dispose()
    {
        if (_disposed)
            return;
        try
        {
            WriteBuffer();
            _stream.Flush();
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
                _stream.Dispose();
        }
    }

    private void WriteBuffer()
    {
        _stream.Write(_buffer, 0, _used);
        _used = 0;
    }

    /// <summary>Wall-clock time read once at start, advanced by the monotonic clock: cheap, and never steps back.</summary>
    private long Now() => _startUnixNanoseconds + (long)((Stopwatch.GetTimestamp() - _startTimestamp) * _nanosecondsPerTick);
}
