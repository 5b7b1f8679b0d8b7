using System.Runtime.CompilerServices;

namespace Ring;

/// <summary>
/// Receives one queue pair's incoming packets: on a <see cref="Guest"/> what the device sent (RX), on a
/// <see cref="Device"/> what the guest sent (TX). Shaped like <c>ChannelReader&lt;T&gt;</c>, with bursts:
/// <see cref="TryReceive"/> never blocks, <see cref="WaitToReceiveAsync"/> waits without blocking a thread of the
/// caller's, <see cref="ReceiveAllAsync"/> is the wait-then-drain loop, and <see cref="Completion"/> ends when the
/// peer's stream has been received in full.
/// </summary>
/// <remarks>
/// <para>Every packet received is the application's until it gives it back with <see cref="Return"/>, which hands
/// the buffer back to the peer (the guest posts it on the fill ring again; the device completes it on the TX
/// completion ring). A packet's bytes (<see cref="Payload"/>) are valid from the receive until that return.</para>
/// <para>One consumer: receives and returns come from one thread at a time, and one wait is outstanding at a time.
/// The reader and the <see cref="PacketWriter"/> of the same queue pair may be used from different threads.</para>
/// </remarks>
public abstract class PacketReader
{
    /// <summary>Packets per burst unless told otherwise (testpmd's default).</summary>
    public const int DefaultBurstSize = 32;

    private readonly unsafe byte* _poolBase;
    private int _region; // Closed once the reader is closed: no packet then names it

    private protected unsafe PacketReader(byte* poolBase, int bufferSize, int region, int maxChainLength)
    {
        _poolBase = poolBase;
        BufferSize = bufferSize;
        _region = region;
        MaxChainLength = maxChainLength;
    }

    /// <summary>What <c>_region</c> becomes when the reader is closed: no region has this id, not even a default packet's 0.</summary>
    private protected const int Closed = -1;

    /// <summary>The pool's first byte in this process's mapping.</summary>
    private protected unsafe byte* PoolBase => _poolBase;

    /// <summary>The most packets one frame may span (a chain: see <see cref="Packet.ContinuesInNext"/>): enough for
    /// a 64 KiB frame, at most a ring's worth; 1 when the peer did not accept chained buffers.</summary>
    public int MaxChainLength { get; }

    /// <summary>Bytes a buffer holds: no packet is longer.</summary>
    public int BufferSize { get; }

    /// <summary>Receives up to <c>packets.Length</c> packets that have arrived, in the order the peer sent them, and
    /// returns how many (0 when none are waiting). Never blocks. Entries the peer wrote wrongly are dropped and
    /// counted in <see cref="Counters"/>, never thrown.</summary>
    public abstract int TryReceive(Span<Packet> packets);

    /// <summary>Gives received packets back to the peer, in one burst. Throws <see cref="InvalidOperationException"/>,
    /// changing nothing, when a packet is not one this reader handed out and the application still holds (returned
    /// twice, never received, or from another region).</summary>
    public abstract void Return(ReadOnlySpan<Packet> packets);

    /// <summary>
    /// Waits until packets are waiting to receive (true), or until the peer's stream has been received in full
    /// (false, as a completed channel). Completes at once when either is already so; otherwise a thread of the queue
    /// side waits as its <see cref="WaitMode"/> says. Without cancellation it allocates nothing. Fails with
    /// <see cref="RingException"/> when the peer died, left or failed before its stream ended, and with
    /// <see cref="InvalidOperationException"/> when the application holds every buffer of this direction, so
    /// nothing can ever arrive (return some first).
    /// </summary>
    public abstract ValueTask<bool> WaitToReceiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Completes when the peer's stream has been received in full; fails with <see cref="RingException"/>
    /// when the peer died, left or failed first.</summary>
    public abstract Task Completion { get; }

    /// <summary>This direction's counters: packets and bytes received, drops by reason, doorbells rung. Any thread may
    /// read them, also while another receives.</summary>
    public abstract PacketCounters Counters { get; }

    /// <summary>The number of packet entries the peer says it posted in all, once it has completed its writer
    /// (end of stream); null while it still sends. Untrusted: the peer wrote it.</summary>
    public abstract long? PeerTotal { get; }

    /// <summary>The <see cref="Packet.Length"/> bytes of <paramref name="packet"/>, in the pool, without copying.
    /// Valid until the packet is returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe Span<byte> Payload(Packet packet)
    {
        if (packet.Region != _region || (uint)packet.Length > (uint)BufferSize)
            ThrowForeign(packet);
        return new Span<byte>(_poolBase + packet.Offset, packet.Length);
    }

    /// <summary>
    /// Waits for packets and receives them until the peer's stream ends, in bursts of up to
    /// <paramref name="burstSize"/> packets. Each <see cref="PacketBurst"/> is valid until the next
    /// <c>MoveNextAsync</c>, which returns its packets to the peer; using it after that throws
    /// <see cref="InvalidOperationException"/>. Fails as <see cref="WaitToReceiveAsync"/> does.
    /// </summary>
    public async IAsyncEnumerable<PacketBurst> ReceiveAllAsync(int burstSize = DefaultBurstSize,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(burstSize, 1);
        var packets = new Packet[burstSize];
        var lease = new PacketBurst.Lease();
        while (await WaitToReceiveAsync(cancellationToken).ConfigureAwait(false))
        {
            int n;
            while ((n = TryReceive(packets)) != 0)
            {
                try
                {
                    yield return new PacketBurst(this, packets, n, lease);
                }
                finally
                {
                    lease.Expire();
                    Return(packets.AsSpan(0, n));
                }
            }
        }
    }

    /// <summary>Stops <see cref="Payload"/> handing out bytes of a region that is about to be unmapped: from now on it
    /// throws <see cref="ObjectDisposedException"/>. Called by the closing half before it releases the mapping.</summary>
    private protected void Detach() => Volatile.Write(ref _region, Closed);

    /// <summary>Throws for a packet this reader cannot give bytes for.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private protected void ThrowForeign(Packet packet)
    {
        if (Volatile.Read(ref _region) == Closed)
            throw new ObjectDisposedException(GetType().Name);
        if (packet.Region != _region)
            throw new InvalidOperationException($"{packet} belongs to another region");
        throw new ArgumentOutOfRangeException(nameof(packet), packet.Length, $"a packet holds at most {BufferSize} bytes");
    }
}
