using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Producer;

/// <summary>
/// The device backend on a pcap uplink, for one queue pair: replays a classic pcap capture into the guest on RX,
/// <c>--loop</c> times, at the recorded pace (each frame when its timestamp, counted from the pass's first, says) or
/// as fast as the guest takes them; then ends its stream. When every record fits a buffer, each is read from the
/// file straight into a fill buffer; when some do not, each is read into a buffer of the replay's and copied into as
/// many fill buffers as it needs (a chain, for the long ones), since a record's length is known only once read.
/// What the guest sends on TX is received, counted and given back: a capture has nowhere to send it.
/// </summary>
internal sealed class PcapReplay : IDeviceLoop
{
    /// <summary>Frames per burst.</summary>
    public const int BurstSize = 32;

    /// <summary>The longest record a chain of Ring buffers can hold.</summary>
    private const int LongestRecord = GuestOptions.MaxBufferSize;

    private static readonly double TicksPerNanosecond = Stopwatch.Frequency / 1e9;

    private readonly QueuePair _pair;
    private readonly PacketReader _reader;
    private readonly PacketWriter _writer;
    private readonly string _path;
    private readonly int _loops;
    private readonly bool _paced;
    private readonly byte[]? _record;    // the record read ahead, when records may need a chain
    private readonly FileStream _file;
    private readonly Packet[] _fill;     // fill buffers rented and not yet used: [_fillNext, _fillCount)
    private int _fillNext;
    private int _fillCount;
    private PcapReader? _capture;        // this pass's reader over _file
    private int _pass;
    private long _passStart;             // Stopwatch ticks the pass started: the run's start, then its first read
    private long _firstStamp;            // the pass's first timestamp, ns
    private int _recordLength = -1;      // bytes in _record, or -1 when it holds none
    private int _nextStart;              // the next frame, read ahead and waiting for its time: _fill[_nextStart, _nextEnd)
    private int _nextEnd;
    private long _nextDue;
    private bool _finished;

    /// <summary>Replays <paramref name="path"/>, which <see cref="Scan"/> found to hold <paramref name="records"/>
    /// records of up to <paramref name="longest"/> bytes, <paramref name="loops"/> times into <paramref name="pair"/>,
    /// <paramref name="paced"/> or not.</summary>
    public PcapReplay(QueuePair pair, string path, long records, int longest, int loops, bool paced)
    {
        _pair = pair;
        _reader = pair.Reader;
        _writer = pair.Writer;
        _path = path;
        _loops = loops;
        _paced = paced;
        _finished = records == 0;
        _record = longest > _writer.BufferSize ? new byte[longest] : null;
        _fill = new Packet[BurstSize + _writer.MaxChainLength];
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
    }

    /// <summary>Frames replayed into the guest, every pass together.</summary>
    public long Replayed { get; private set; }

    /// <summary>Frames the guest sent on TX.</summary>
    public long FramesFromGuest { get; private set; }

    /// <summary>Bytes of those frames.</summary>
    public long BytesFromGuest { get; private set; }

    /// <summary>
    /// Reads the whole capture once, before anything starts, so a bad file fails with one line and no traffic: returns
    /// its number of records and the longest. Throws <see cref="RunFailedException"/> naming the file and the problem.
    /// </summary>
    public static (long Records, int Longest) Scan(string path)
    {
        try
        {
            using var capture = new PcapReader(path);
            byte[] buffer = new byte[LongestRecord];
            int longest = 0;
            while (capture.TryRead(buffer, out var record))
                longest = Math.Max(longest, record.CapturedLength);
            return (capture.Records, longest);
        }
        catch (PcapFormatException e)
        {
            throw new RunFailedException(e.Message);
        }
        catch (ArgumentException e) // a record longer than the buffer
        {
            throw new RunFailedException($"{e.Message}: a chain of Ring buffers holds at most {LongestRecord} bytes");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFailedException($"cannot read the capture {path}: {e.Message}");
        }
    }

    /// <summary>Replays every pass, the first paced from <paramref name="startTicks"/>, the others from when their
    /// first record is read; then drains the guest's TX stream to its end.</summary>
    public void Run(long startTicks, CancellationToken cancel)
    {
        _passStart = startTicks;
        // Room for the longest chain: a reader hands out whole chains only, and a burst carries whole ones.
        Span<Packet> burst = stackalloc Packet[Math.Max(BurstSize, _reader.MaxChainLength)];
        bool rxOpen = true, txOpen = true;
        try
        {
            while (rxOpen || txOpen)
            {
                cancel.ThrowIfCancellationRequested();
                int work = 0;
                var maxSleep = TimeSpan.MaxValue;
                if (rxOpen)
                {
                    work += Replay(burst, ref maxSleep);
                    if (_finished && _nextEnd == _nextStart)
                    {
                        EndRx();
                        rxOpen = false;
                    }
                }
                if (txOpen)
                {
                    int n = _reader.TryReceive(burst);
                    if (n != 0)
                    {
                        foreach (var packet in burst[..n])
                        {
                            BytesFromGuest += packet.Length;
                            FramesFromGuest += packet.ContinuesInNext ? 0 : 1;
                        }
                        _reader.Return(burst[..n]);
                        work += n;
                    }
                    else if (_reader.Completion.IsCompleted)
                    {
                        _reader.Completion.GetAwaiter().GetResult(); // throws when the guest's stream failed
                        txOpen = false;
                    }
                }
                if (work == 0 && (rxOpen || txOpen))
                    _pair.Idle(0, maxSleep);
                else
                    _pair.Idle(work);
            }
        }
        finally
        {
            _file.Dispose();
        }
    }

    /// <summary>Sends the frames that are due, one burst at most; <paramref name="maxSleep"/> becomes the time until
    /// the next one when it is not due yet.</summary>
    private int Replay(Span<Packet> burst, ref TimeSpan maxSleep)
    {
        long now = _paced ? Stopwatch.GetTimestamp() : 0;
        int packets = 0, frames = 0;
        while (frames < BurstSize)
        {
            if (_nextEnd == _nextStart && !ReadNext())
                break;
            if (_paced && _nextDue > now)
            {
                maxSleep = Stopwatch.GetElapsedTime(now, _nextDue);
                break;
            }
            int length = _nextEnd - _nextStart;
            if (packets + length > burst.Length)
                break;
            _fill.AsSpan(_nextStart, length).CopyTo(burst[packets..]);
            packets += length;
            frames++;
            _nextStart = _nextEnd;
        }
        if (packets != 0)
            _writer.TrySend(burst[..packets]);
        Replayed += frames;
        return frames;
    }

    /// <summary>Reads the next record into fill buffers; false when too few are free or the last pass is over.</summary>
    private bool ReadNext()
    {
        if (_finished)
            return false;
        if (_fillCount - _fillNext < _writer.MaxChainLength)
            TopUpFill();
        if (_record is null)
        {
            if (_fillNext == _fillCount || !TryRead(_writer.GetBuffer(_fill[_fillNext]), out var record))
                return false;
            Stage(1, record);
            _fill[_fillNext] = _fill[_fillNext].WithLength(record.CapturedLength);
            _fillNext++;
            return true;
        }
        // The record is read ahead into _record once; it waits there until enough fill buffers are free.
        if (_recordLength < 0)
        {
            if (!TryRead(_record, out var record))
                return false;
            _recordLength = record.CapturedLength;
            Stage(0, record);
        }
        int buffers = Math.Max(1, (_recordLength + _writer.BufferSize - 1) / _writer.BufferSize);
        if (_fillCount - _fillNext < buffers)
            return false;
        var chain = _fill.AsSpan(_fillNext, buffers);
        int size = _writer.BufferSize;
        for (int i = 0; i < buffers; i++)
        {
            var piece = _record.AsSpan(i * size, Math.Min(size, _recordLength - i * size));
            piece.CopyTo(_writer.GetBuffer(chain[i]));
            chain[i] = chain[i].WithLength(piece.Length).WithContinuation(i < buffers - 1);
        }
        _nextStart = _fillNext;
        _fillNext += buffers;
        _nextEnd = _fillNext;
        _recordLength = -1;
        return true;
    }

    /// <summary>Reads the next record of the capture into <paramref name="buffer"/>, starting the next pass at the end
    /// of one; false once the last pass is over.</summary>
    private bool TryRead(Span<byte> buffer, out PcapRecord record)
    {
        while (!(_capture ??= StartPass()).TryRead(buffer, out record))
        {
            _capture = null;
            if (++_pass == _loops)
            {
                _finished = true;
                return false;
            }
        }
        return true;
    }

    /// <summary>Records when the frame just read is due; with <paramref name="packets"/> 1, it is the fill buffer
    /// at <see cref="_fillNext"/>.</summary>
    private void Stage(int packets, PcapRecord record)
    {
        if (_capture!.Records == 1)
        {
            if (_pass != 0)
                _passStart = Stopwatch.GetTimestamp();
            _firstStamp = record.UnixNanoseconds;
        }
        _nextDue = _passStart + (long)((record.UnixNanoseconds - _firstStamp) * TicksPerNanosecond);
        _nextStart = _fillNext;
        _nextEnd = _fillNext + packets;
    }

    /// <summary>Reads the file header again, from the start: the file stream and its buffer serve every pass.</summary>
    private PcapReader StartPass()
    {
        _file.Position = 0;
        return new PcapReader(_file, _path, leaveOpen: true);
    }

    /// <summary>Moves the fill buffers not yet used to the front and rents more behind them.</summary>
    private void TopUpFill()
    {
        int left = _fillCount - _fillNext;
        _fill.AsSpan(_fillNext, left).CopyTo(_fill);
        _fillNext = 0;
        _fillCount = left + _writer.TryRent(_fill.AsSpan(left));
    }

    /// <summary>Gives back the fill buffers not used and ends the RX stream.</summary>
    private void EndRx()
    {
        if (_fillNext != _fillCount)
            _writer.Return(_fill.AsSpan(_fillNext, _fillCount - _fillNext));
        _fillNext = _fillCount = 0;
        _writer.Complete();
    }

    /// <summary>Adds the replay's counters to <paramref name="summary"/>.</summary>
    public void Report(RunSummary summary)
    {
        summary.AddFrames((ulong)Replayed, (ulong)FramesFromGuest, (ulong)BytesFromGuest);
        summary.UplinkIn += Replayed;
        summary.Replayed += Replayed;
    }
}
