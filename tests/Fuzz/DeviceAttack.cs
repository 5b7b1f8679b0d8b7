using System.Diagnostics;
using Ring.Layout;
using Ring.Tests.Support;

namespace Ring.Tests.Fuzz;

/// <summary>
/// The fuzzing peer as the device of a real Consumer: attached over the consumer's control socket, it takes the
/// buffers the guest posts on the fill rings for honest packets on the RX completion rings, completes the guest's TX
/// descriptors, rings the guest's doorbell as a device does, and writes the end of its stream as
/// <c>EndOfStreamFlag | entries posted</c>.
/// </summary>
internal sealed class DeviceAttack : FuzzAttack
{
    private readonly Queue<ulong>[] _taken; // fill entries read, not yet used for a packet

    private DeviceAttack(HostilePeer peer, FuzzSettings settings) : base(peer, settings, asDevice: true) =>
        _taken = [.. Enumerable.Range(0, settings.Queues).Select(_ => new Queue<ulong>())];

    /// <summary>Attaches to the consumer at <paramref name="path"/> as its device and waits until the guest set
    /// DRIVER_OK; null when <paramref name="victim"/> exited first (the caller checks how).</summary>
    public static DeviceAttack? Attach(string path, FuzzSettings settings, ProgramRunner.Child victim)
    {
        var peer = HostilePeer.ActAsDevice(path, maySleep: false, chains: settings.Chains);
        var clock = Stopwatch.StartNew();
        while ((peer.Header.Status & DeviceStatus.DriverOk) == 0)
        {
            if (victim.HasExited)
            {
                peer.Dispose();
                return null;
            }
            Assert.True(clock.Elapsed < Deadline.Default, $"the consumer did not set DRIVER_OK within {Deadline.Default.TotalSeconds:0} s");
            Thread.Sleep(1);
        }
        return new DeviceAttack(peer, settings);
    }

    protected override void Send(int q, int count)
    {
        var rings = Peer.Queue(q);
        var taken = _taken[q];
        while (taken.Count < count && rings.Fill.ReadBuffer(rings.Fill.Next, out ulong posted))
        {
            rings.Fill.Next++;
            taken.Enqueue(posted);
        }
        int sent = 0;
        while (sent < count && taken.TryDequeue(out ulong offset))
        {
            if (TryPublish(q, offset)) // an honest device drops a fill entry outside the pool
                sent++;
        }
        RingVictim(q, sent);
    }

    protected override void Serve()
    {
        for (int q = 0; q < Settings.Queues; q++)
        {
            var rings = Peer.Queue(q);
            int completed = 0;
            for (; completed < Settings.RingSize && rings.Tx.ReadDescriptor(rings.Tx.Next, out var sent); completed++)
            {
                rings.Tx.Next++;
                rings.TxCompletion.PostBuffers(sent.Offset);
            }
            RingVictim(q, completed);
        }
    }
}
