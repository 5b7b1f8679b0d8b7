using Ring.Layout;
using Ring.Memory;
using Ring.Tests.Support;

namespace Ring.Tests.Fuzz;

/// <summary>
/// The fuzzing peer as the guest of a real Producer: it creates the region, plays the guest's handshake, posts the
/// buffers the device completes on RX back on the fill ring, sends honest packets on TX from a ring's worth of TX
/// buffers per queue, rings the device's doorbell as a guest does, and writes the end of its TX stream as
/// <c>EndOfStreamFlag | entries posted</c>.
/// </summary>
internal sealed class GuestAttack : FuzzAttack
{
    private readonly Queue<ulong>[] _free;       // TX buffers this peer may send
    private readonly HashSet<ulong>[] _inFlight; // TX buffers with the device

    private GuestAttack(HostilePeer peer, FuzzSettings settings) : base(peer, settings, asDevice: false)
    {
        int queues = settings.Queues;
        _free = [.. Enumerable.Range(0, queues).Select(q => new Queue<ulong>(Enumerable.Range(0, settings.RingSize).Select(i => peer.TxBuffer(i, q))))];
        _inFlight = [.. Enumerable.Range(0, queues).Select(_ => new HashSet<ulong>())];
    }

    /// <summary>The region's geometry for <paramref name="settings"/>.</summary>
    public static RegionGeometry GeometryFor(FuzzSettings settings) =>
        RegionGeometry.ForQueues(settings.Queues, settings.RingSize, settings.BufferSize);

    /// <summary>Plays the guest's handshake on <paramref name="peer"/> (made by <see cref="HostilePeer.CreateAsGuest"/>)
    /// against the producer attaching to it, and takes the region over for the attack.</summary>
    public static GuestAttack Start(HostilePeer peer, FuzzSettings settings)
    {
        peer.FinishGuestHandshake(postFill: true, chains: settings.Chains);
        return new GuestAttack(peer, settings);
    }

    protected override void Send(int q, int count)
    {
        if (!Settings.BothDirections)
            return; // the producer reads no TX
        TakeBackTx(q);
        int sent = 0;
        while (sent < count && _free[q].TryDequeue(out ulong offset))
        {
            TryPublish(q, offset); // one of this peer's own TX buffers: it fits
            _inFlight[q].Add(offset);
            sent++;
        }
        RingVictim(q, sent);
    }

    protected override void Serve()
    {
        for (int q = 0; q < Settings.Queues; q++)
        {
            var rings = Peer.Queue(q);
            int posted = 0;
            for (int i = 0; i < Settings.RingSize && rings.RxCompletion.ReadDescriptor(rings.RxCompletion.Next, out var received); i++)
            {
                rings.RxCompletion.Next++;
                if (!IsPostedRxBuffer(received.Offset, q))
                    continue; // an honest guest posts only its own buffers again
                rings.Fill.PostBuffers(received.Offset);
                posted++;
            }
            TakeBackTx(q);
            RingVictim(q, posted);
        }
    }

    /// <summary>Whether <paramref name="offset"/> names one of the RX buffers the handshake posted on queue <paramref name="q"/>.</summary>
    private bool IsPostedRxBuffer(ulong offset, int q)
    {
        ulong first = Peer.RxBuffer(0, q), stride = (ulong)Peer.Geometry.BufferStride;
        return offset >= first && (offset - first) % stride == 0 && (offset - first) / stride < (ulong)Settings.RingSize;
    }

    /// <summary>Takes back the TX buffers the device completed (only this peer's own, once each).</summary>
    private void TakeBackTx(int q)
    {
        var ring = Peer.Queue(q).TxCompletion;
        for (int i = 0; i < Settings.RingSize && ring.ReadBuffer(ring.Next, out ulong offset); i++)
        {
            ring.Next++;
            if (_inFlight[q].Remove(offset))
                _free[q].Enqueue(offset);
        }
    }
}
