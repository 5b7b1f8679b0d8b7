using System.Text.Json;
using System.Text.Json.Serialization;
using Ring.Harness.Hosting;
using Ring.Harness.Traffic;

namespace Bench;

/// <summary>The combined result of one pair run: both programs' summaries folded into one row.</summary>
public sealed class PairResult
{
    /// <summary>How the consumer waited: poll, event or hybrid.</summary>
    public string Mode { get; set; } = "poll";
    /// <summary>How the producer waited.</summary>
    public string DeviceMode { get; set; } = "poll";
    /// <summary>Packet size.</summary>
    public int Size { get; set; }
    /// <summary>Queue pairs.</summary>
    public int Queues { get; set; }
    /// <summary>rx, tx or both.</summary>
    public string Direction { get; set; } = "";
    /// <summary>Packets both sides sent.</summary>
    public ulong Sent { get; set; }
    /// <summary>Packets both sides received.</summary>
    public ulong Received { get; set; }
    /// <summary>How much of each packet the receivers checked: seq or full.</summary>
    public string Verify { get; set; } = "seq";
    /// <summary>Received packets whose sequence number could not be believed (corrupted, out of order, too short).</summary>
    public ulong Bad { get; set; }
    /// <summary>Received packets whose sequence number had been received already.</summary>
    public ulong Duplicates { get; set; }
    /// <summary>Sequence numbers never received.</summary>
    public ulong Missing { get; set; }
    /// <summary>Received packets with a wrong byte (<c>--verify full</c>).</summary>
    public ulong Corrupt { get; set; }
    /// <summary>sent = received + dropped + in flight, each term from the side that knows it.</summary>
    public PairAccounting Accounting { get; set; } = new();
    /// <summary>Descriptors dropped as invalid.</summary>
    public long Dropped { get; set; }
    /// <summary>The receivers' elapsed time (the longer one when both receive).</summary>
    public double Seconds { get; set; }
    /// <summary>Millions of packets received per second.</summary>
    public double Mpps { get; set; }
    /// <summary>Gigabits of payload received per second.</summary>
    public double Gbps { get; set; }

    /// <summary>Doorbells the producer rang to wake the consumer.</summary>
    public long Doorbells { get; set; }
    /// <summary>Doorbells the consumer rang to wake the producer.</summary>
    public long DeviceDoorbells { get; set; }
    /// <summary>Times the consumer woke from sleep on its doorbell.</summary>
    public long Wakeups { get; set; }
    /// <summary>Consumer wake-ups after which it found nothing.</summary>
    public long SpuriousWakeups { get; set; }
    /// <summary>Packets the consumer moved (received + sent) per wake-up; 0 when it never slept.</summary>
    public double PktsPerWakeup { get; set; }
    /// <summary>The consumer's CPU time over its run, percent of one core.</summary>
    public double ConsumerCpu { get; set; }
    /// <summary>The producer's CPU time over its run, percent of one core.</summary>
    public double ProducerCpu { get; set; }

    /// <summary>Offered load per sending side in packets per second; 0: as fast as possible (saturation).</summary>
    public double RatePps { get; set; }

    /// <summary>Whose one-way latency the percentiles are: the receiver's ("consumer" for rx and both, "producer" for tx).</summary>
    public string LatencyOf { get; set; } = "";
    /// <summary>Median one-way latency, send stamp to receive, in ns (0 when nothing was received).</summary>
    public long P50Ns { get; set; }
    /// <summary>90th percentile one-way latency, ns.</summary>
    public long P90Ns { get; set; }
    /// <summary>99th percentile one-way latency, ns.</summary>
    public long P99Ns { get; set; }
    /// <summary>99.9th percentile one-way latency, ns.</summary>
    public long P999Ns { get; set; }
    /// <summary>Largest one-way latency, ns.</summary>
    public long MaxNs { get; set; }

    /// <summary>Bytes the consumer allocated on the managed heap during its run.</summary>
    public long ConsumerAllocBytes { get; set; }
    /// <summary>Bytes the producer allocated on the managed heap during its run.</summary>
    public long ProducerAllocBytes { get; set; }
    /// <summary>Garbage collections in the consumer during its run.</summary>
    public int ConsumerGcs { get; set; }
    /// <summary>Garbage collections in the producer during its run.</summary>
    public int ProducerGcs { get; set; }

    /// <summary>Times the scheduler took the consumer's poll thread(s) off their core during the run (preemption).</summary>
    public long ConsumerInvoluntarySwitches { get; set; }
    /// <summary>Times the producer's poll thread(s) were preempted during the run.</summary>
    public long ProducerInvoluntarySwitches { get; set; }
    /// <summary>Times the consumer's poll thread(s) gave up their core (slept) during the run.</summary>
    public long ConsumerVoluntarySwitches { get; set; }
    /// <summary>Times the producer's poll thread(s) gave up their core during the run.</summary>
    public long ProducerVoluntarySwitches { get; set; }

    /// <summary>The involuntary switches of the side whose latency the percentiles are (<see cref="LatencyOf"/>).</summary>
    [JsonIgnore]
    public long ReceiverInvoluntarySwitches => LatencyOf == "producer" ? ProducerInvoluntarySwitches : ConsumerInvoluntarySwitches;

    /// <summary>The other side: the one that sent what <see cref="LatencyOf"/> received.</summary>
    [JsonIgnore]
    public string SenderRole => LatencyOf == "producer" ? "consumer" : "producer";

    /// <summary>The involuntary switches of <see cref="SenderRole"/>.</summary>
    [JsonIgnore]
    public long SenderInvoluntarySwitches => LatencyOf == "producer" ? ConsumerInvoluntarySwitches : ProducerInvoluntarySwitches;

    /// <summary>The reference block (<c>--refs</c>); absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public RefsReport? Refs { get; set; }

    /// <summary>Whether every packet sent was received, in order and intact, with nothing dropped, and the accounting
    /// adds up with nothing in flight.</summary>
    [JsonIgnore]
    public bool Clean => Received == Sent && Bad == 0 && Duplicates == 0 && Missing == 0 && Corrupt == 0 && Dropped == 0
        && Accounting.Exact;

    /// <summary>Folds the two programs' summaries; a frame of <paramref name="buffersPerFrame"/> buffers (chained when
    /// more than 1) tells the accounting what its packets are.</summary>
    public static PairResult Combine(RunSummary consumer, RunSummary producer, int buffersPerFrame = 1)
    {
        var receiver = DirectionNames.Parse(consumer.Direction) == Ring.Harness.Traffic.Direction.Tx ? producer : consumer;
        var receivers = new[] { consumer, producer }.Where(s => s.Received != 0).ToList();
        double seconds = receivers.Count == 0 ? Math.Max(consumer.Seconds, producer.Seconds) : receivers.Max(s => s.Seconds);
        var result = new PairResult
        {
            Size = consumer.Size,
            Queues = consumer.Queues,
            Direction = consumer.Direction,
            Sent = consumer.Sent + producer.Sent,
            Received = consumer.Received + producer.Received,
            Verify = consumer.Verify,
            Bad = consumer.Bad + producer.Bad,
            Duplicates = consumer.Duplicates + producer.Duplicates,
            Missing = consumer.Missing + producer.Missing,
            Corrupt = consumer.Corrupt + producer.Corrupt,
            Accounting = PairAccounting.Of(DirectionNames.Parse(consumer.Direction), consumer, producer, buffersPerFrame),
            Dropped = consumer.Dropped + producer.Dropped,
            Seconds = seconds,
            Mode = consumer.Mode,
            DeviceMode = producer.Mode,
            Doorbells = producer.DoorbellsRung,
            DeviceDoorbells = consumer.DoorbellsRung,
            Wakeups = consumer.Wakeups,
            SpuriousWakeups = consumer.SpuriousWakeups,
            PktsPerWakeup = consumer.Wakeups == 0 ? 0 : (double)(consumer.Received + consumer.Sent) / consumer.Wakeups,
            ConsumerCpu = consumer.Cpu,
            ProducerCpu = producer.Cpu,
            LatencyOf = receiver.Role,
            P50Ns = receiver.P50Ns,
            P90Ns = receiver.P90Ns,
            P99Ns = receiver.P99Ns,
            P999Ns = receiver.P999Ns,
            MaxNs = receiver.MaxNs,
            ConsumerAllocBytes = consumer.AllocBytes,
            ProducerAllocBytes = producer.AllocBytes,
            ConsumerGcs = consumer.Gcs,
            ProducerGcs = producer.Gcs,
            ConsumerInvoluntarySwitches = consumer.InvoluntarySwitches,
            ProducerInvoluntarySwitches = producer.InvoluntarySwitches,
            ConsumerVoluntarySwitches = consumer.VoluntarySwitches,
            ProducerVoluntarySwitches = producer.VoluntarySwitches,
        };
        ulong bytes = consumer.ReceivedBytes + producer.ReceivedBytes;
        result.Mpps = seconds > 0 ? result.Received / seconds / 1e6 : 0;
        result.Gbps = seconds > 0 ? bytes * 8 / seconds / 1e9 : 0;
        return result;
    }

    /// <summary>One line of JSON, snake_case keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, PairResultJson.Default.PairResult);

    /// <summary>Parses a line written by <see cref="ToJson"/>.</summary>
    public static PairResult? FromJson(string line) => JsonSerializer.Deserialize(line, PairResultJson.Default.PairResult);
}

/// <summary>Source-generated JSON for <see cref="PairResult"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PairResult))]
internal sealed partial class PairResultJson : JsonSerializerContext;
