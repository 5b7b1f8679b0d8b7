using System.Text.Json.Serialization;

namespace Bench;

/// <summary>One point of a sweep: one pair run at one mode and one offered load.</summary>
public sealed class SweepPoint
{
    /// <summary>The wait mode both sides ran.</summary>
    public string Mode { get; set; } = "";
    /// <summary>Offered load in packets per second; 0: saturation.</summary>
    public double RatePps { get; set; }
    /// <summary>Millions of packets received per second.</summary>
    public double Mpps { get; set; }
    /// <summary>Median one-way latency, ns.</summary>
    public long P50Ns { get; set; }
    /// <summary>99th percentile one-way latency, ns.</summary>
    public long P99Ns { get; set; }
    /// <summary>The consumer's CPU time, percent of one core.</summary>
    public double ConsumerCpu { get; set; }
    /// <summary>The producer's CPU time, percent of one core.</summary>
    public double ProducerCpu { get; set; }
    /// <summary>Packets the consumer moved per wake-up; 0 when it never slept (poll).</summary>
    public double PktsPerWakeup { get; set; }
    /// <summary>90th percentile one-way latency, ns.</summary>
    public long P90Ns { get; set; }
    /// <summary>99.9th percentile one-way latency, ns.</summary>
    public long P999Ns { get; set; }
    /// <summary>Largest one-way latency, ns.</summary>
    public long MaxNs { get; set; }
    /// <summary>Packets sent.</summary>
    public ulong Sent { get; set; }
    /// <summary>Packets received.</summary>
    public ulong Received { get; set; }
    /// <summary>Times the consumer woke from sleep.</summary>
    public long Wakeups { get; set; }
    /// <summary>Bytes the consumer allocated during its run.</summary>
    public long ConsumerAllocBytes { get; set; }
    /// <summary>Bytes the producer allocated during its run.</summary>
    public long ProducerAllocBytes { get; set; }
    /// <summary>Times the consumer's poll thread (the receiver's) was preempted during the run.</summary>
    public long ConsumerInvoluntarySwitches { get; set; }
    /// <summary>Times the producer's poll thread (the sender's) was preempted during the run.</summary>
    public long ProducerInvoluntarySwitches { get; set; }
    /// <summary>Times the consumer's poll thread gave up its core (slept) during the run.</summary>
    public long ConsumerVoluntarySwitches { get; set; }
    /// <summary>Times the producer's poll thread gave up its core during the run.</summary>
    public long ProducerVoluntarySwitches { get; set; }
    /// <summary>Whether every packet arrived in order with nothing dropped.</summary>
    public bool Clean { get; set; }
    /// <summary>Why the run failed; null when it ran.</summary>
    public string? Error { get; set; }
    /// <summary><c>floor spin 100000</c> round trip just before the point, ns; 0 without probes.</summary>
    public double SpinNsBefore { get; set; }
    /// <summary><c>floor spin 100000</c> round trip just after the point, ns; 0 without probes.</summary>
    public double SpinNsAfter { get; set; }
    /// <summary>The machine's speed state over the point: fast, slow, mixed (it changed) or unknown (no probes).</summary>
    public string State { get; set; } = SpeedState.Unknown;
    /// <summary>How many times the point was tried (1, or up to 3 when it came out off-state); the figures are the kept try's.</summary>
    public int Tries { get; set; } = 1;
    /// <summary>Whether the kept try is still not in the sweep's majority state; such a point is left out of the advice.</summary>
    public bool OffState { get; set; }

    /// <summary>Whether this point's figures can be used: it ran, and every packet arrived.</summary>
    [JsonIgnore]
    public bool Usable => Error is null && Clean;

    /// <summary>Whether this point's tail coincides with preemption of the receiving side, the consumer
    /// (<see cref="PreemptedTail"/>): its p99 says more about the box than about the transport.</summary>
    [JsonIgnore]
    public bool TailIsPreemption => Usable && PreemptedTail.Coincides(P50Ns, P99Ns, ConsumerInvoluntarySwitches);

    /// <summary>Where the point sits on a load axis: the offered load, or for saturation the measured rate.</summary>
    [JsonIgnore]
    public double LoadAxisPps => RatePps > 0 ? RatePps : Mpps * 1e6;

    /// <summary>The point of one finished pair run.</summary>
    public static SweepPoint Of(string mode, double rate, PairResult r) => new()
    {
        Mode = mode,
        RatePps = rate,
        Mpps = r.Mpps,
        P50Ns = r.P50Ns,
        P99Ns = r.P99Ns,
        ConsumerCpu = r.ConsumerCpu,
        ProducerCpu = r.ProducerCpu,
        PktsPerWakeup = r.PktsPerWakeup,
        P90Ns = r.P90Ns,
        P999Ns = r.P999Ns,
        MaxNs = r.MaxNs,
        Sent = r.Sent,
        Received = r.Received,
        Wakeups = r.Wakeups,
        ConsumerAllocBytes = r.ConsumerAllocBytes,
        ProducerAllocBytes = r.ProducerAllocBytes,
        ConsumerInvoluntarySwitches = r.ConsumerInvoluntarySwitches,
        ProducerInvoluntarySwitches = r.ProducerInvoluntarySwitches,
        ConsumerVoluntarySwitches = r.ConsumerVoluntarySwitches,
        ProducerVoluntarySwitches = r.ProducerVoluntarySwitches,
        Clean = r.Clean,
    };

    /// <summary>The point of a pair run that failed.</summary>
    public static SweepPoint Failed(string mode, double rate, string error) =>
        new() { Mode = mode, RatePps = rate, Error = error };
}
