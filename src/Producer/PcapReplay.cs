using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Producer;

/// <summary>
/// The device backend on a pcap uplink, for one queue pair: replays a classic pcap capture into the guest on RX, each
/// record read from the file straight into a fill buffer, <c>--loop</c> times, at the recorded pace (each frame when
/// its timestamp, counted from the pass's first, says) or as fast as the guest takes them; then ends its stream.
/// What the guest sends on TX is received, counted and given back: a capture has nowhere to send it.
/// </summary>
internal sealed class PcapReplay
{
    /// <summary>Frames per burst.</summary>
    public const int BurstSize = 32;

    /// <summary>The longest record a Ring buffer can hold.</summary>
    private const int LongestRecord = GuestOptions.MaxBufferSize;

    private static readonly double TicksPerNanosecond = Stopwatch.Frequency / 1e9;

    private readonly QueuePair _pair;
    private readonly PacketReader _reader;
    private readonly PacketWriter _writer;
    private readonly string _path;
    private readonly int _loops;
    private readonly bool _paced;
    private readonly Packet[] _spare = new Packet[BurstSize]; // fill buffers rented and not yet read into: [_spareNext, _spareCount)
    private int _spareNext;
    private int _spareCount;
    private readonly FileStream _file;
    private PcapReader? _capture; // this pass's reader over _file
    private int _pass;
    private long _passStart;   // Stopwatch ticks when the pass's first frame was read
    private long _firstStamp;  // the pass's first timestamp, ns
    private Packet _next;      // the frame read ahead, waiting for its time
    private long _nextDue;
    private bool _hasNext;
    private bool _finished;

    /// <summary>Replays <paramref name="path"/>, which <see cref="Scan"/> found to hold <paramref name="records"/>
    /// records, <paramref name="loops"/> times into <paramref name="pair"/>, <paramref name="paced"/> or not.</summary>
    public PcapReplay(QueuePair pair, string path, long records, int loops, bool paced)
    {
        _finished = records == 0;
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        _pair = pair;
        _reader = pair.Reader;
        _writer = pair.Writer;
        _path = path;
        _loops = loops;
        _paced = paced;
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
            throw new RunFailedException($"{e.Message}: a Ring buffer holds at most {LongestRecord} bytes");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new RunFailedException($"cannot read the capture {path}: {e.Message}");
        }
    }

    /// <summary>Replays every pass, then drains the guest's TX stream to its end.</summary>
    public void Run(CancellationToken cancel)
    {
        Span<Packet> burst = stackalloc Packet[BurstSize];
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
                    if (_finished && !_hasNext)
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
                            BytesFromGuest += packet.Length;
                        FramesFromGuest += n;
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
        int n = 0;
        while (n < burst.Length)
        {
            if (!_hasNext && !ReadNext())
                break;
            if (_paced && _nextDue > now)
            {
                maxSleep = Stopwatch.GetElapsedTime(now, _nextDue);
                break;
            }
            burst[n++] = _next;
            _hasNext = false;
        }
        if (n != 0)
            _writer.TrySend(burst[..n]);
        Replayed += n;
        return n;
    }

    /// <summary>Reads the next record into a fill buffer; false when no buffer is free or the last pass is over.</summary>
    private bool ReadNext()
    {
        if (_finished)
            return false;
        if (_spareNext == _spareCount)
        {
            _spareNext = 0;
            _spareCount = _writer.TryRent(_spare);
            if (_spareCount == 0)
                return false;
        }
        var packet = _spare[_spareNext];
        PcapRecord record;
        while (!(_capture ??= StartPass()).TryRead(_writer.GetBuffer(packet), out record))
        {
            _capture = null;
            if (++_pass == _loops)
            {
                _finished = true;
                return false;
            }
        }
        _spareNext++;
        if (_capture.Records == 1)
        {
            _passStart = Stopwatch.GetTimestamp();
            _firstStamp = record.UnixNanoseconds;
        }
        _next = packet.WithLength(record.CapturedLength);
        _nextDue = _passStart + (long)((record.UnixNanoseconds - _firstStamp) * TicksPerNanosecond);
        _hasNext = true;
        return true;
    }

    /// <summary>Reads the file header again, from the start: the file stream and its buffer serve every pass.</summary>
    private PcapReader StartPass()
    {
        _file.Position = 0;
        return new PcapReader(_file, _path, leaveOpen: true);
    }

    /// <summary>Gives back the fill buffers not read into and ends the RX stream.</summary>
    private void EndRx()
    {
        if (_spareNext != _spareCount)
            _writer.Return(_spare.AsSpan(_spareNext, _spareCount - _spareNext));
        _spareNext = _spareCount = 0;
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
