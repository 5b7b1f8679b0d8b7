using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using Ring.Doorbells;
using Ring.Layout;

namespace Ring.Tests.Support;

/// <summary>
/// Plays a corpus row's tokens as the writer of the victim's packet ring, through a <see cref="HostilePeer"/>: as the
/// device on the RX completion ring (the victim is the guest, the real Consumer, and the buffers come from its fill
/// ring) or as the guest on the TX ring (the victim is the device, the real Producer, and the buffers are the guest's
/// own TX buffers). The tokens:
/// <list type="bullet">
/// <item><c>good</c>, <c>good*N</c>: honest packets, 64 bytes carrying sequence numbers 0, 1, ... in order.</item>
/// <item><c>desc.offset=V</c>, <c>desc.len=V</c>, <c>desc.flags=V</c>: one descriptor, honest but for that field, in a
/// fresh buffer. An offset is a number, <c>+N</c> (past the fresh buffer's start), <c>pool_end</c>, <c>tx0</c> (the
/// queue's first TX buffer) or <c>free</c> (an RX buffer the guest never posted).</item>
/// <item><c>stale</c>: an honest packet whose generation bit says "not ready"; <c>skip</c>: a slot left as it was (the
/// index jumps). Neither is ever read, nor anything after it.</item>
/// <item><c>sync</c>: publish, then wait until the victim has read every entry it can.</item>
/// <item><c>header.F op V</c>, <c>word.F op V</c>: publish, then write a header field or a control word
/// (<see cref="NamedWords"/>).</item>
/// <item><c>eos</c>: publish and end the stream with the honest total; <c>eos=V</c>: write V into the end-of-stream word.</item>
/// </list>
/// Entries are published in bursts, back to front as a writer does, and each burst rings the victim's doorbell.
/// </summary>
internal sealed unsafe class RingScript
{
    private const int PacketLength = 64;

    private readonly HostilePeer _peer;
    private readonly bool _asDevice;
    private readonly HostilePeer.QueueRings _rings;
    private readonly RawRing _ring;
    private readonly List<(RawDescriptor Descriptor, bool Written, bool Ready)> _burst = [];
    private readonly Func<bool> _victimGone;
    private int _nextTxBuffer;
    private ulong _sequence;
    private bool _holeSeen;
    private uint _readableEntries;

    /// <summary>A script for the ring <paramref name="peer"/> writes: RX completion when <paramref name="asDevice"/>, else
    /// TX. <paramref name="victimGone"/> says whether the victim has exited, so no wait outlives it.</summary>
    public RingScript(HostilePeer peer, bool asDevice, Func<bool> victimGone)
    {
        _peer = peer;
        _asDevice = asDevice;
        _rings = peer.Queue(0);
        _ring = asDevice ? _rings.RxCompletion : _rings.Tx;
        _victimGone = victimGone;
    }

    /// <summary>Honest packets written.</summary>
    public int Honest { get; private set; }

    /// <summary>Honest packets the victim can read: those before the first entry it cannot (a stale one, a skipped slot).</summary>
    public int Readable { get; private set; }

    /// <summary>Parses <paramref name="tokens"/> into the steps <see cref="Run"/> takes; throws naming a token it does not
    /// know, so a row is checked whole before any of it runs.</summary>
    public static IReadOnlyList<Action<RingScript>> Compile(IEnumerable<string> tokens) => tokens.Select(Compile).ToList();

    /// <summary>Runs <paramref name="tokens"/> in order, then publishes what is left.</summary>
    public void Run(IEnumerable<string> tokens)
    {
        foreach (var step in Compile(tokens))
            step(this);
        Publish();
    }

    private static Action<RingScript> Compile(string token)
    {
        switch (token)
        {
            case "good":
                return s => s.Good(ready: true);
            case "stale":
                return s => s.Good(ready: false);
            case "skip":
                return s => s.Add(default, written: false, ready: false);
            case "sync":
                return s => s.Publish().WaitUntilRead();
            case "eos":
                return s => s.Publish().EndOfStream(QueueControlLayout.EndOfStreamFlag | s._ring.Next);
        }
        int equals = token.IndexOf('=', StringComparison.Ordinal);
        string value = token[(equals + 1)..];
        if (token.StartsWith("good*", StringComparison.Ordinal))
        {
            int count = int.Parse(token.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture);
            return s =>
            {
                for (int i = 0; i < count; i++)
                    s.Good(ready: true);
            };
        }
        if (token.StartsWith("header.", StringComparison.Ordinal))
        {
            var write = NamedWords.Header.Parse(token[7..]);
            return s => write.ApplyTo(s.Publish()._peer.Region.Base);
        }
        if (token.StartsWith("word.", StringComparison.Ordinal))
        {
            var write = NamedWords.Control.Parse(token[5..]);
            return s => write.ApplyTo(s.Publish()._rings.Control);
        }
        switch (equals < 0 ? token : token[..equals])
        {
            case "eos":
                ulong word = NamedWords.ParseValue(value);
                return s => s.Publish().EndOfStream(word);
            case "desc.offset":
                var offset = OffsetFor(value);
                return s => s.Bad(d => d with { Offset = offset(s, d.Offset) });
            case "desc.len":
                uint length = (uint)NamedWords.ParseValue(value, sizeof(uint));
                return s => s.Bad(d => d with { Length = length });
            case "desc.flags":
                var flags = (DescriptorFlags)NamedWords.ParseValue(value, sizeof(ushort));
                return s => s.Bad(d => d with { Flags = flags });
            default:
                throw new FormatException($"unknown ring token '{token}'");
        }
    }

    /// <summary>A descriptor offset as a row names it, given the fresh buffer's: a number, <c>+N</c>, <c>pool_end</c>,
    /// <c>tx0</c> or <c>free</c>.</summary>
    private static Func<RingScript, ulong, ulong> OffsetFor(string value)
    {
        switch (value)
        {
            case "pool_end":
                return (s, _) => (ulong)s._peer.Geometry.PoolLength;
            case "tx0":
                return (s, _) => s._peer.Geometry.TxFirst(0);
            case "free":
                return (s, _) => s._peer.RxBuffer(s._peer.Geometry.BuffersPerRing - 1);
        }
        if (value.StartsWith('+'))
        {
            ulong delta = NamedWords.ParseValue(value[1..]);
            return (_, buffer) => buffer + delta;
        }
        ulong offset = NamedWords.ParseValue(value);
        return (_, _) => offset;
    }

    /// <summary>An honest packet in a fresh buffer: its sequence number in bytes 0..7.</summary>
    private void Good(bool ready)
    {
        ulong buffer = FreshBuffer();
        var payload = _peer.PoolBytes(buffer, PacketLength);
        payload.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(payload, _sequence++);
        Honest++;
        Add(RawDescriptor.Packet(buffer, PacketLength), written: true, ready);
        if (!_holeSeen)
            Readable++;
    }

    /// <summary>A descriptor honest but for what <paramref name="corrupt"/> changes, in a fresh buffer.</summary>
    private void Bad(Func<RawDescriptor, RawDescriptor> corrupt) =>
        Add(corrupt(RawDescriptor.Packet(FreshBuffer(), PacketLength)), written: true, ready: true);

    /// <summary>Adds an entry to the burst; the first one the victim cannot read hides every one after it.</summary>
    private void Add(RawDescriptor descriptor, bool written, bool ready)
    {
        _burst.Add((descriptor, written, ready));
        _holeSeen |= !ready;
        if (!_holeSeen)
            _readableEntries++;
    }

    /// <summary>A buffer this writer may fill: the next one the guest posted (as the device), or the guest's next TX buffer.</summary>
    private ulong FreshBuffer()
    {
        if (!_asDevice)
            return _peer.TxBuffer(_nextTxBuffer++);
        var fill = _rings.Fill;
        WaitFor(() => fill.ReadBuffer(fill.Next, out _), $"the guest to post fill entry {fill.Next}");
        return fill.TakeBuffers(1)[0];
    }

    /// <summary>Writes the burst back to front (its first entry last, as a writer publishes) and rings the victim's
    /// doorbell. Returns this script, for the step that follows.</summary>
    private RingScript Publish()
    {
        if (_burst.Count == 0)
            return this;
        for (int i = _burst.Count - 1; i >= 0; i--)
            if (_burst[i].Written)
                _ring.WriteDescriptor(_ring.Next + (uint)i, _burst[i].Descriptor, _burst[i].Ready);
        _ring.Next += (uint)_burst.Count;
        _burst.Clear();
        RingVictim();
        return this;
    }

    private void EndOfStream(ulong word)
    {
        Volatile.Write(ref _rings.Word64(_asDevice ? QueueControlLayout.RxEndOfStreamOffset : QueueControlLayout.TxEndOfStreamOffset), word);
        RingVictim();
    }

    /// <summary>Rings the victim's doorbell as an honest writer does after a burst: a victim that sleeps wakes now
    /// rather than at its sleep's timeout; a victim that polls never looks.</summary>
    private void RingVictim()
    {
        ref uint doorbell = ref _rings.Word(_asDevice ? QueueControlLayout.GuestDoorbellOffset : QueueControlLayout.DeviceDoorbellOffset);
        Interlocked.Increment(ref doorbell);
        FutexWakePrimitive.ForThisPlatform().Wake(ref doorbell);
    }

    private void WaitUntilRead()
    {
        int block = _asDevice ? CountersLayout.GuestReceiverOffset : CountersLayout.DeviceReceiverOffset;
        WaitFor(() => _rings.Counter(block, HalfCountersLayout.PacketEntriesOffset) >= _readableEntries,
            $"the victim to read {_readableEntries} entries");
    }

    private void WaitFor(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.False(_victimGone(), $"the victim exited before {what}");
            Assert.True(clock.Elapsed < Deadline.Default, $"{what} did not happen within {Deadline.Default.TotalSeconds:0} s");
            Thread.Sleep(1);
        }
    }
}
