using System.Text.Json;
using HdrHistogram;
using System.Text.Json.Serialization;
using Ring.Harness.Net;
using Ring.Harness.Traffic;

namespace Ring.Harness.Hosting;

/// <summary>
/// What one program run did, printed as a one-line summary and, with <c>--json</c>, as one JSON object on the last
/// line of standard output (snake_case keys), which the <c>bench pair</c> launcher reads.
/// </summary>
public sealed class RunSummary
{
    /// <summary>"consumer" or "producer".</summary>
    public string Role { get; set; } = "";
    /// <summary>How this side waited: poll, event or hybrid.</summary>
    public string Mode { get; set; } = "";
    /// <summary>rx, tx or both (from the guest's point of view).</summary>
    public string Direction { get; set; } = "";
    /// <summary>Queue pairs.</summary>
    public int Queues { get; set; }
    /// <summary>Packet size in bytes.</summary>
    public int Size { get; set; }
    /// <summary>Packets this process sent (the producer on RX, the consumer on TX).</summary>
    public ulong Sent { get; set; }
    /// <summary>Packets this process received and checked.</summary>
    public ulong Received { get; set; }
    /// <summary>Payload bytes received.</summary>
    public ulong ReceivedBytes { get; set; }
    /// <summary>How much of each packet the receiver checked: seq (the sequence number) or full (every byte).</summary>
    public string Verify { get; set; } = "seq";
    /// <summary>Received packets whose sequence number could not be believed: corrupted (outside the expected window,
    /// or a jump ahead no later packet confirmed), out of order, or too short (see <see cref="SequenceChecker"/>).</summary>
    public ulong Bad { get; set; }
    /// <summary>Received packets whose sequence number had been received already.</summary>
    public ulong Duplicates { get; set; }
    /// <summary>Sequence numbers below the highest confirmed one that no packet carried.</summary>
    public ulong Missing { get; set; }
    /// <summary>Received packets with a byte that is not what the sender wrote (<c>--verify full</c>); counted by their
    /// sequence number too.</summary>
    public ulong Corrupt { get; set; }
    /// <summary>What this side's rings moved, in ring entries: the receiving half of the accounting.</summary>
    public RingAccounting Accounting { get; set; } = new();
    /// <summary>Why the peer was lost, when it died or left before its stream ended (the summary is then printed with
    /// exit code 6); empty otherwise.</summary>
    public string PeerLost { get; set; } = "";
    /// <summary>Descriptors and ring entries dropped as invalid, all reasons.</summary>
    public long Dropped { get; set; }
    /// <summary>Drops by reason.</summary>
    public Dictionary<string, long> Drops { get; set; } = [];
    /// <summary>Doorbells this side rang to wake its peer.</summary>
    public long DoorbellsRung { get; set; }
    /// <summary>Times this side went to sleep on its doorbell.</summary>
    public long Sleeps { get; set; }
    /// <summary>Times its peer's doorbell woke it (or rang just before it slept).</summary>
    public long Wakeups { get; set; }
    /// <summary>Sleeps that ended by timeout (the periodic re-check), not by a doorbell.</summary>
    public long SleepTimeouts { get; set; }
    /// <summary>Wake-ups after which the next poll found nothing.</summary>
    public long SpuriousWakeups { get; set; }
    /// <summary>This process's CPU time over the run, in percent of one core.</summary>
    public double Cpu { get; set; }
    /// <summary>One-way latency percentiles of what this side received, in ns (0 when it received nothing).</summary>
    public long P50Ns { get; set; }
    /// <summary>90th percentile latency, ns.</summary>
    public long P90Ns { get; set; }
    /// <summary>99th percentile latency, ns.</summary>
    public long P99Ns { get; set; }
    /// <summary>99.9th percentile latency, ns.</summary>
    public long P999Ns { get; set; }
    /// <summary>Largest latency seen, ns.</summary>
    public long MaxNs { get; set; }
    /// <summary>Bytes this process allocated on the managed heap during the run (after set-up).</summary>
    public long AllocBytes { get; set; }
    /// <summary>Garbage collections during the run, all generations.</summary>
    public int Gcs { get; set; }
    /// <summary>Methods the JIT compiled during the run (after set-up), tier-1 re-compilations included.</summary>
    public long JitMethods { get; set; }
    /// <summary>Milliseconds the JIT spent compiling during the run, all threads.</summary>
    public double JitMs { get; set; }
    /// <summary>Times the scheduler took a poll thread's core for something else during the run, all queues
    /// (nonvoluntary_ctxt_switches in /proc): each is a stretch when that queue was not polled.</summary>
    public long InvoluntarySwitches { get; set; }
    /// <summary>Times a poll thread gave up its core during the run, all queues (voluntary_ctxt_switches): its
    /// sleeps on the doorbell, mostly; 0 for a busy-poller.</summary>
    public long VoluntarySwitches { get; set; }
    /// <summary>Seconds from DRIVER_OK to the end of this side's work.</summary>
    public double Seconds { get; set; }
    /// <summary>Millions of packets per second, of what this side received (or, if it received nothing, sent).</summary>
    public double Mpps { get; set; }
    /// <summary>Gigabits per second of payload, same basis as <see cref="Mpps"/>.</summary>
    public double Gbps { get; set; }

    /// <summary>The consumer's application (<c>--app</c>): rxonly, txonly, rxtx, io, macswap, icmpecho; empty for the producer.</summary>
    public string App { get; set; } = "";
    /// <summary>Frames a forwarding application (io, macswap, icmpecho) answered.</summary>
    public long Replied { get; set; }
    /// <summary>Frames a forwarding application dropped, all reasons; these are the application's choice and do not
    /// fail the run.</summary>
    public long AppDropped { get; set; }
    /// <summary>The application's drops by <see cref="FrameDropReason"/>.</summary>
    public Dictionary<string, long> AppDrops { get; set; } = [];
    /// <summary>Frames written to <c>--pcap-out</c>.</summary>
    public long Captured { get; set; }
    /// <summary>The producer's uplink (<c>--uplink</c>): gen, tap:NAME, pcap:FILE; empty for the consumer.</summary>
    public string Uplink { get; set; } = "";
    /// <summary>Frames the uplink gave the guest: read from the TAP, or replayed from the capture.</summary>
    public long UplinkIn { get; set; }
    /// <summary>Frames the guest sent that went out of the uplink (written to the TAP).</summary>
    public long UplinkOut { get; set; }
    /// <summary>Frames the guest sent that the uplink did not take (the kernel's queue was full, a runt, or a
    /// capture, which only replays), by reason.</summary>
    public Dictionary<string, long> UplinkDrops { get; set; } = [];
    /// <summary>Frames replayed from <c>--uplink pcap:FILE</c>, every loop together.</summary>
    public long Replayed { get; set; }
    /// <summary>Sessions with a peer: 1, plus one for each time <c>--reconnect</c> went on with a new peer after the
    /// last one died or left.</summary>
    public int Sessions { get; set; } = 1;

    private readonly long[] _drops = new long[Enum.GetValues<DropReason>().Length];

    /// <summary>An empty summary to <see cref="Add"/> queues to, and then to <see cref="Finish"/>.</summary>
    public static RunSummary For(string role, WaitMode mode, Direction direction, int queues, int size) =>
        new() { Role = role, Mode = mode.Name(), Direction = direction.Name(), Queues = queues, Size = size };

    /// <summary>Adds one queue pair's counters: the doorbells its reader and writer rang, the entries they dropped,
    /// its sleeps, and its <see cref="Accounting"/>.</summary>
    public void AddCounters(QueuePair pair)
    {
        var reader = pair.Reader.Counters;
        var writer = pair.Writer.Counters;
        var sleeps = pair.SleepCounters;
        DoorbellsRung += reader.Doorbells + writer.Doorbells;
        Sleeps += sleeps.Sleeps;
        Wakeups += sleeps.Wakeups;
        SleepTimeouts += sleeps.Timeouts;
        SpuriousWakeups += sleeps.SpuriousWakeups;
        foreach (var reason in Enum.GetValues<DropReason>())
            _drops[(int)reason] += reader.DropsFor(reason) + writer.DropsFor(reason);
        Accounting.Add(pair.Writer, pair.Reader);
        Dropped = _drops.Sum();
        Drops = Enum.GetValues<DropReason>().Where(r => _drops[(int)r] != 0).ToDictionary(r => r.ToString(), r => _drops[(int)r]);
    }

    private readonly LatencyRecorder _latency = new();

    /// <summary>Adds one queue pair's traffic: what it sent, what it received (sequence numbers and latency).</summary>
    public void Add(ulong sent, PacketReceiver receiver)
    {
        var received = receiver.Sequence;
        Verify = receiver.Verification.Name();
        Sent += sent;
        Received += received.Received;
        ReceivedBytes += receiver.Bytes;
        Bad += received.Bad;
        Duplicates += received.Duplicates;
        Missing += received.Missing;
        Corrupt += receiver.Corrupt;
        _latency.Add(receiver.Latency);
        SetLatency(_latency);
        ComputeRates();
    }

    /// <summary>Adds one queue pair's traffic when nothing carries sequence numbers (forwarding applications, uplinks):
    /// frames sent, frames and bytes received.</summary>
    public void AddFrames(ulong sent, ulong received, ulong receivedBytes)
    {
        Sent += sent;
        Received += received;
        ReceivedBytes += receivedBytes;
        ComputeRates();
    }

    /// <summary>Adds one forwarding application's counters: replies, and drops by reason.</summary>
    public void AddApp(FrameCounters counters)
    {
        Replied += counters.Replied;
        AppDropped += counters.Dropped;
        foreach (var (reason, count) in counters.Drops())
            AppDrops[reason.ToString()] = AppDrops.GetValueOrDefault(reason.ToString()) + count;
    }

    private void SetLatency(LatencyRecorder latency)
    {
        var h = latency.Histogram;
        if (h.TotalCount == 0)
            return;
        P50Ns = h.GetValueAtPercentile(50);
        P90Ns = h.GetValueAtPercentile(90);
        P99Ns = h.GetValueAtPercentile(99);
        P999Ns = h.GetValueAtPercentile(99.9);
        MaxNs = h.GetMaxValue();
    }

    /// <summary>
    /// Records that the peer was lost (<paramref name="error"/>: it died, or left or failed before its stream ended),
    /// and what the peer's halves had counted in the region (<paramref name="region"/>, read after it went; this side
    /// is the guest when <paramref name="guest"/>): what it sent, received and dropped. Those counters are the peer's
    /// word, kept for the accounting only.
    /// </summary>
    public void SetPeerLost(RingException error, RegionSnapshot region, bool guest)
    {
        PeerLost = error.Message;
        long sent = 0, received = 0, dropped = 0;
        foreach (var q in region.Queues)
        {
            // The dead peer's counters, as it left them in the region: any values, so the sums wrap rather than throw.
            var (peerSender, peerReceiver) = guest ? (q.DeviceSender, q.DeviceReceiver) : (q.GuestSender, q.GuestReceiver);
            sent = unchecked(sent + peerSender.PacketEntries);
            received = unchecked(received + peerReceiver.Packets);
            dropped = unchecked(dropped + peerReceiver.Drops);
        }
        Accounting.AddDeadPeer(sent, received, dropped);
    }

    /// <summary>Sets the run's length and CPU time once the queues, which may have been added session by session, are
    /// all in, and computes the rates from them.</summary>
    public void Finish(double seconds, double cpu)
    {
        Seconds = seconds;
        Cpu = cpu;
        ComputeRates();
    }

    /// <summary>Fills the allocation counts from <paramref name="meter"/>.</summary>
    public void SetAllocations(AllocationMeter meter)
    {
        AllocBytes = meter.Bytes;
        Gcs = meter.Collections;
    }

    /// <summary>Fills the JIT counts from <paramref name="meter"/>.</summary>
    public void SetJit(JitMeter meter)
    {
        JitMethods = meter.Methods;
        JitMs = meter.Time.TotalMilliseconds;
    }

    /// <summary>Fills the context-switch counts from what <see cref="QueueThreads.Run"/> returned.</summary>
    public void SetSwitches(ContextSwitches switches)
    {
        InvoluntarySwitches = switches.Involuntary;
        VoluntarySwitches = switches.Voluntary;
    }

    /// <summary>Whether every packet received checked out, nothing was dropped and the peer was not lost.</summary>
    [JsonIgnore]
    public bool Clean => Verified && PeerLost.Length == 0;

    /// <summary>Whether every packet received checked out and nothing was dropped.</summary>
    [JsonIgnore]
    public bool Verified => Bad == 0 && Duplicates == 0 && Missing == 0 && Corrupt == 0 && Dropped == 0;

    /// <summary>What went wrong with the packets, for the one line on stderr: "1 bad, 1 duplicates, 3 missing, 0 corrupt,
    /// 0 dropped of 5 received".</summary>
    [JsonIgnore]
    public string Failures => $"{Bad} bad, {Duplicates} duplicates, {Missing} missing, {Corrupt} corrupt, {Dropped} dropped of {Received} received";

    /// <summary>Prints the summary (one JSON line when <paramref name="json"/>) and returns the program's exit code; when
    /// not <see cref="Clean"/>, one line on stderr says why: the peer lost (exit 6, with the counts when they failed
    /// too) or the verification that failed (exit 3).</summary>
    public int Print(bool json)
    {
        Console.WriteLine(json ? ToJson() : ToString());
        if (PeerLost.Length != 0)
        {
            Console.Error.WriteLine($"{Role}: {PeerLost}" + (Verified ? "" : $"; verification failed too: {Failures}"));
            return ExitCodes.PeerLost;
        }
        if (Clean)
            return ExitCodes.Ok;
        Console.Error.WriteLine($"{Role}: verification failed: {Failures}");
        return ExitCodes.VerificationFailed;
    }

    /// <summary>Fills <see cref="Mpps"/> and <see cref="Gbps"/> from the counts and <see cref="Seconds"/>.</summary>
    private void ComputeRates()
    {
        ulong packets = Received != 0 ? Received : Sent;
        ulong bytes = Received != 0 ? ReceivedBytes : Sent * (ulong)Size;
        Mpps = Seconds > 0 ? packets / Seconds / 1e6 : 0;
        Gbps = Seconds > 0 ? bytes * 8 / Seconds / 1e9 : 0;
    }

    /// <summary>The one-line human summary.</summary>
    public override string ToString()
    {
        string drops = Described(Dropped, Drops);
        return $"{Role}: {Mode} {Direction} x{Queues} {Size} B: sent {Sent}, received {Received} in {Seconds:0.000} s = "
            + $"{Mpps:0.00} Mpps {Gbps:0.00} Gbps; verify {Verify}: bad {Bad}, duplicates {Duplicates}, missing {Missing}, corrupt {Corrupt}, dropped {drops}; "
            + $"accounting: {Accounting}" + (PeerLost.Length == 0 ? "; " : $" ({PeerLost}); ")
            + (P50Ns != 0 ? $"latency p50 {P50Ns} ns p99 {P99Ns} ns p99.9 {P999Ns} ns max {MaxNs} ns; " : "")
            + $"allocated {AllocBytes} B, {Gcs} GCs; jitted {JitMethods} methods in {JitMs:0.0} ms; context switches {InvoluntarySwitches} involuntary, {VoluntarySwitches} voluntary; cpu {Cpu:0.0}%, doorbells rung {DoorbellsRung}, sleeps {Sleeps}, wakeups {Wakeups} ({SpuriousWakeups} spurious, {SleepTimeouts} timeouts)"
            + (App.Length == 0 ? "" : $"; app {App}" + (Replied == 0 && AppDropped == 0 ? "" : $": replied {Replied}, dropped {Described(AppDropped, AppDrops)}"))
            + (Captured == 0 ? "" : $"; captured {Captured}")
            + (Uplink is "" or "gen" ? "" : $"; uplink {Uplink}: in {UplinkIn}, out {UplinkOut}, dropped {Described(UplinkDrops.Values.Sum(), UplinkDrops)}")
            + (Replayed == 0 ? "" : $"; replayed {Replayed} frames")
            + (Sessions == 1 ? "" : $"; {Sessions} sessions");
    }

    private static string Described(long total, Dictionary<string, long> byReason) =>
        total == 0 ? "0" : $"{total} ({string.Join(", ", byReason.Select(d => $"{d.Key}={d.Value}"))})";

    /// <summary>One line of JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, RunSummaryJson.Default.RunSummary);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static RunSummary? FromJson(string line) => JsonSerializer.Deserialize(line, RunSummaryJson.Default.RunSummary);
}

/// <summary>Source-generated JSON for <see cref="RunSummary"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(RunSummary))]
internal sealed partial class RunSummaryJson : JsonSerializerContext;
