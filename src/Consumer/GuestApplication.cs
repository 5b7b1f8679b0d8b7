using Ring.Queues;
using Ring.Traffic;

namespace Consumer;

/// <summary>
/// The guest application on one queue pair, busy-polling: <c>rxonly</c> receives bursts, checks each packet's
/// sequence number and recycles the buffers onto the fill ring; <c>txonly</c> stamps sequence-numbered packets
/// into free TX buffers, sends them in bursts and reaps TX completions. Finishes when the device's RX
/// end-of-stream total has been consumed and every TX buffer has come back.
/// </summary>
internal sealed class GuestApplication(GuestQueue queue, Direction direction, PacketStamper stamper, ulong txPackets,
    SendPlan plan, PeerWatch watch)
{
    /// <summary>Packets per burst, as testpmd's default.</summary>
    public const int BurstSize = 32;

    private SequenceChecker _rx;

    /// <summary>What the RX side received and checked.</summary>
    public SequenceChecker Rx => _rx;

    /// <summary>Polls until both directions are done or <paramref name="cancel"/> fires.</summary>
    public void Run(long startTicks, CancellationToken cancel)
    {
        Span<Packet> burst = stackalloc Packet[BurstSize];
        Span<Packet> pending = stackalloc Packet[BurstSize];
        int pendingCount = 0;
        bool rxDone = (direction & Direction.Rx) == 0;
        bool txDone = (direction & Direction.Tx) == 0;
        bool txMarked = txDone;
        ulong txSequence = 0, txBursts = 0;
        var pool = queue.Pool;

        while (!(rxDone && txDone))
        {
            cancel.ThrowIfCancellationRequested();
            int work = 0;
            if (!rxDone)
            {
                int n = queue.ReceiveBurst(burst);
                for (int i = 0; i < n; i++)
                    _rx.Check(pool.Payload(burst[i]));
                queue.Recycle(burst[..n]);
                work += n;
                if (n == 0 && queue.TryGetRxEndOfStream(out ulong total) && queue.RxCompletionsConsumed >= total)
                    rxDone = true;
            }
            if (!txDone)
            {
                // Reap only when short of buffers (DPDK's tx_free_thresh): each reap reads the device's index.
                if (queue.TxFree < BurstSize || txMarked)
                    work += queue.ReapTxCompletions();
                if (!txMarked)
                {
                    bool timeUp = plan.TimeIsUp(startTicks, txBursts++);
                    if (pendingCount == 0 && txSequence < txPackets && !timeUp)
                    {
                        int want = (int)Math.Min((ulong)BurstSize, txPackets - txSequence);
                        pendingCount = queue.AllocateTx(pending[..want], stamper.Size);
                        for (int i = 0; i < pendingCount; i++)
                            stamper.Write(pool.Payload(pending[i]), txSequence++);
                    }
                    int sent = queue.SendBurst(pending[..pendingCount]);
                    if (sent != 0 && sent != pendingCount)
                        pending[sent..pendingCount].CopyTo(pending);
                    pendingCount -= sent;
                    work += sent;
                    if (pendingCount == 0 && (txSequence == txPackets || timeUp))
                    {
                        queue.MarkTxEndOfStream();
                        txMarked = true;
                    }
                }
                else if (queue.TxInFlight == 0)
                {
                    txDone = true;
                }
            }
            if (work != 0)
                watch.Worked();
            else
                watch.Idle();
        }
    }
}
