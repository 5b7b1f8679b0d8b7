using Ring.Queues;
using Ring.Traffic;

namespace Producer;

/// <summary>
/// The device backend on one queue pair, busy-polling: on RX it takes guest buffers from the fill ring, writes
/// sequence-numbered packets into them and posts RX completions, then marks end of stream with its total; on TX it
/// drains the guest's TX ring, checks each packet's sequence number and posts TX completions, until the guest's
/// end-of-stream total has been consumed.
/// </summary>
internal sealed class DeviceBackend(DeviceQueue queue, Direction direction, PacketStamper stamper, ulong rxPackets,
    SendPlan plan, PeerWatch watch)
{
    /// <summary>Packets per burst.</summary>
    public const int BurstSize = 32;

    private SequenceChecker _tx;

    /// <summary>What the TX side received and checked.</summary>
    public SequenceChecker Tx => _tx;

    /// <summary>Polls until both directions are done or <paramref name="cancel"/> fires.</summary>
    public void Run(long startTicks, CancellationToken cancel)
    {
        Span<Packet> burst = stackalloc Packet[BurstSize];
        bool rxDone = (direction & Direction.Rx) == 0;
        bool txDone = (direction & Direction.Tx) == 0;
        ulong rxSequence = 0, rxBursts = 0;
        var pool = queue.Pool;

        while (!(rxDone && txDone))
        {
            cancel.ThrowIfCancellationRequested();
            int work = 0;
            if (!rxDone)
            {
                int want = (int)Math.Min((ulong)BurstSize, rxPackets - rxSequence);
                int n = queue.TakeRxBuffers(burst[..want]);
                for (int i = 0; i < n; i++)
                {
                    burst[i] = burst[i].WithLength(stamper.Size);
                    stamper.Write(pool.Payload(burst[i]), rxSequence++);
                }
                queue.CompleteRx(burst[..n]);
                work += n;
                if (rxSequence == rxPackets || plan.TimeIsUp(startTicks, rxBursts++))
                {
                    queue.MarkRxEndOfStream();
                    rxDone = true;
                }
            }
            if (!txDone)
            {
                int n = queue.ReceiveTx(burst);
                for (int i = 0; i < n; i++)
                    _tx.Check(pool.Payload(burst[i]));
                queue.CompleteTx();
                work += n;
                if (n == 0 && queue.TryGetTxEndOfStream(out ulong total) && queue.TxConsumed >= total)
                    txDone = true;
            }
            if (work != 0)
                watch.Worked();
            else
                watch.Idle();
        }
    }
}
