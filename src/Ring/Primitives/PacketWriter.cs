using System.Runtime.CompilerServices;

namespace Ring;

/// <summary>
/// Sends one queue pair's outgoing packets: on a <see cref="Guest"/> to the device (TX), on a <see cref="Device"/>
/// to the guest (RX). Zero-copy and in bursts: <see cref="TryRent"/> takes free buffers (on the guest its own TX
/// buffers, on the device the buffers the guest posted on the fill ring), the application writes each through
/// <see cref="GetBuffer"/> and sets its length, and <see cref="TrySend(ReadOnlySpan{Packet})"/> publishes them.
/// Shaped like <c>ChannelWriter&lt;T&gt;</c> otherwise: <see cref="WaitToSendAsync"/>, <see cref="Complete"/>, and a
/// copying <see cref="TrySend(ReadOnlySpan{byte})"/>.
/// </summary>
/// <remarks>
/// One producer: rents, sends and returns come from one thread at a time, and one wait is outstanding at a time.
/// The writer and the <see cref="PacketReader"/> of the same queue pair may be used from different threads.
/// </remarks>
public abstract class PacketWriter
{
    private readonly unsafe byte* _poolBase;
    private int _region; // Closed once the writer is closed: no packet then names it

    private protected unsafe PacketWriter(byte* poolBase, int bufferSize, int region, int maxChainLength)
    {
        _poolBase = poolBase;
        BufferSize = bufferSize;
        _region = region;
        MaxChainLength = maxChainLength;
    }

    /// <summary>The most packets one frame may span (a chain: see <see cref="Packet.ContinuesInNext"/>): enough for
    /// a 64 KiB frame, at most a ring's worth; 1 when the peer did not accept chained buffers.</summary>
    public int MaxChainLength { get; }

    /// <summary>Bytes a buffer holds: the longest packet this writer can send.</summary>
    public int BufferSize { get; }

    /// <summary>Takes up to <c>packets.Length</c> free buffers, each with length 0, and returns how many (0 when none is
    /// free: the peer holds them all, or the application does). Never blocks.</summary>
    public abstract int TryRent(Span<Packet> packets);

    /// <summary>Publishes rented packets, each with the length set by <see cref="Packet.WithLength"/>, in order and in
    /// one burst, and returns how many were sent (all of them: a ring always has room for every buffer of its
    /// direction). Throws <see cref="InvalidOperationException"/>, changing nothing, when a packet is not one this
    /// writer rented out, and <see cref="ArgumentOutOfRangeException"/> when one is longer than a buffer.</summary>
    public abstract int TrySend(ReadOnlySpan<Packet> packets);

    /// <summary>Gives rented packets back unsent; they are free to rent again.</summary>
    public abstract void Return(ReadOnlySpan<Packet> packets);

    /// <summary>Waits until a buffer is free to rent (true), or until no more will ever be (false: this writer was
    /// completed, or the peer left). Completes at once when a buffer is free. Fails with <see cref="RingException"/>
    /// when the peer died or failed.</summary>
    public abstract ValueTask<bool> WaitToSendAsync(CancellationToken cancellationToken = default);

    /// <summary>Ends the stream: the peer's reader completes once it has received everything sent before. Packets
    /// cannot be sent after it; the buffers in flight still come back.</summary>
    public abstract void Complete();

    /// <summary>This direction's counters: packets and bytes sent, rents that found no buffer, drops by reason. Any
    /// thread may read them, also while another sends.</summary>
    public abstract PacketCounters Counters { get; }

    /// <summary>The whole buffer of a rented <paramref name="packet"/> (<see cref="BufferSize"/> bytes), to write the
    /// packet into. Valid until the packet is sent or returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe Span<byte> GetBuffer(Packet packet)
    {
        if (packet.Region != _region)
            ThrowForeign(packet);
        return new Span<byte>(_poolBase + packet.Offset, BufferSize);
    }

    /// <summary>Copies <paramref name="frame"/> into free buffers and sends it: one buffer, or a chain of them for a
    /// frame longer than <see cref="BufferSize"/>. False when not enough buffers are free (nothing is sent then).
    /// Throws <see cref="ArgumentOutOfRangeException"/> when the frame needs more than <see cref="MaxChainLength"/>
    /// buffers.</summary>
    public bool TrySend(ReadOnlySpan<byte> frame)
    {
        int count = Math.Max(1, (frame.Length + BufferSize - 1) / BufferSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxChainLength, nameof(frame));
        Span<Packet> chain = count <= 64 ? stackalloc Packet[count] : new Packet[count];
        int rented = TryRent(chain);
        if (rented < count)
        {
            Return(chain[..rented]);
            return false;
        }
        for (int i = 0; i < count; i++)
        {
            var piece = frame.Slice(i * BufferSize, Math.Min(BufferSize, frame.Length - i * BufferSize));
            piece.CopyTo(GetBuffer(chain[i]));
            chain[i] = chain[i].WithLength(piece.Length).WithContinuation(i < count - 1);
        }
        TrySend((ReadOnlySpan<Packet>)chain);
        return true;
    }

    /// <summary>Waits for free buffers, copies <paramref name="frame"/> into them and sends it. Fails with
    /// <see cref="InvalidOperationException"/> when this writer was completed, and with <see cref="RingException"/>
    /// when the peer left (<see cref="RingErrorReason.PeerLeft"/>), died or failed.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken = default)
    {
        while (!TrySend(frame.Span))
            if (!await WaitToSendAsync(cancellationToken).ConfigureAwait(false))
                throw IsCompleted
                    ? new InvalidOperationException("the writer was completed: nothing more can be sent")
                    : new RingException(RingErrorReason.PeerLeft, "the peer left: nothing more can be sent");
    }

    /// <summary>Whether <see cref="Complete"/> was called.</summary>
    public abstract bool IsCompleted { get; }

    /// <summary>What <c>_region</c> becomes when the writer is closed: no region has this id, not even a default packet's 0.</summary>
    private protected const int Closed = -1;

    /// <summary>Stops <see cref="GetBuffer"/> handing out bytes of a region that is about to be unmapped: from now on it
    /// throws <see cref="ObjectDisposedException"/>. Called by the closing half before it releases the mapping.</summary>
    private protected void Detach() => Volatile.Write(ref _region, Closed);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowForeign(Packet packet)
    {
        if (Volatile.Read(ref _region) == Closed)
            throw new ObjectDisposedException(GetType().Name);
        throw new InvalidOperationException($"{packet} belongs to another region");
    }
}
