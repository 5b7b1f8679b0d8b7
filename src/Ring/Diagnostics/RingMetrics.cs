using System.Diagnostics.Metrics;

namespace Ring;

/// <summary>
/// Publishes every open <see cref="Guest"/>'s and <see cref="Device"/>'s counters through
/// <see cref="System.Diagnostics.Metrics"/>, under the meter <see cref="MeterName"/>, so <c>dotnet-counters</c> and
/// OpenTelemetry see a Ring application with no code of its own. The instruments are observable: they read the
/// counters in the region only when a listener collects, so the data path pays nothing.
/// </summary>
/// <remarks>
/// Instruments (all tagged <c>ring.side</c> = guest or device, <c>ring.region</c>, <c>ring.queue</c>, and, except
/// the sleeps, <c>ring.direction</c> = rx or tx): <c>ring.packets</c>, <c>ring.bytes</c>, <c>ring.drops</c> (also
/// tagged <c>ring.drop_reason</c>), <c>ring.doorbells</c>, <c>ring.starved</c>, <c>ring.held</c> (buffers the
/// application holds), <c>ring.sleeps</c>, <c>ring.wakeups</c>.
/// </remarks>
public static class RingMetrics
{
    /// <summary>The meter's name: <c>dotnet-counters monitor --counters Ring -p PID</c>.</summary>
    public const string MeterName = "Ring";

    private static readonly Meter s_meter = new(MeterName, typeof(RingMetrics).Assembly.GetName().Version?.ToString());
    private static readonly List<Endpoint> s_endpoints = [];

    static RingMetrics()
    {
        s_meter.CreateObservableCounter("ring.packets", () => Observe(c => c.Packets), "{packet}", "Packets moved.");
        s_meter.CreateObservableCounter("ring.bytes", () => Observe(c => c.Bytes), "By", "Bytes of the packets moved.");
        s_meter.CreateObservableCounter("ring.doorbells", () => Observe(c => c.Doorbells), "{doorbell}", "Doorbells rung to wake the peer.");
        s_meter.CreateObservableCounter("ring.starved", () => Observe(c => c.Starved), "{rent}", "Rents that found no buffer.");
        s_meter.CreateObservableUpDownCounter("ring.held", () => Observe(c => c.Held), "{buffer}", "Buffers the application holds.");
        s_meter.CreateObservableCounter("ring.drops", ObserveDrops, "{entry}", "Ring entries dropped as invalid, by reason.");
        s_meter.CreateObservableCounter("ring.sleeps", () => ObserveSleeps(s => s.Sleeps), "{sleep}", "Sleeps on the doorbell.");
        s_meter.CreateObservableCounter("ring.wakeups", () => ObserveSleeps(s => s.Wakeups), "{wakeup}", "Sleeps the peer's doorbell ended.");
    }

    /// <summary>Adds an endpoint's queue pairs; dispose the result, before the endpoint unmaps, to remove them.</summary>
    internal static IDisposable Register(string side, string region, IReadOnlyList<QueuePair> pairs)
    {
        var endpoint = new Endpoint(side, region, pairs);
        lock (s_endpoints)
            s_endpoints.Add(endpoint);
        return endpoint;
    }

    private static List<Measurement<long>> Observe(Func<PacketCounters, long> counter)
    {
        var measurements = new List<Measurement<long>>();
        lock (s_endpoints)
        {
            foreach (var endpoint in s_endpoints)
            {
                foreach (var pair in endpoint.Pairs)
                {
                    measurements.Add(new(counter(pair.Reader.Counters), endpoint.Tags(pair, reader: true)));
                    measurements.Add(new(counter(pair.Writer.Counters), endpoint.Tags(pair, reader: false)));
                }
            }
        }
        return measurements;
    }

    private static List<Measurement<long>> ObserveDrops()
    {
        var measurements = new List<Measurement<long>>();
        lock (s_endpoints)
        {
            foreach (var endpoint in s_endpoints)
            {
                foreach (var pair in endpoint.Pairs)
                {
                    foreach (bool reader in (bool[])[true, false])
                    {
                        var counters = reader ? pair.Reader.Counters : pair.Writer.Counters;
                        foreach (var reason in Enum.GetValues<DropReason>())
                            measurements.Add(new(counters.DropsFor(reason),
                                [.. endpoint.Tags(pair, reader), new("ring.drop_reason", reason.ToString())]));
                    }
                }
            }
        }
        return measurements;
    }

    private static List<Measurement<long>> ObserveSleeps(Func<SleepCounters, long> counter)
    {
        var measurements = new List<Measurement<long>>();
        lock (s_endpoints)
        {
            foreach (var endpoint in s_endpoints)
                foreach (var pair in endpoint.Pairs)
                    measurements.Add(new(counter(pair.SleepCounters), endpoint.Tags(pair, reader: null)));
        }
        return measurements;
    }

    private sealed class Endpoint(string side, string region, IReadOnlyList<QueuePair> pairs) : IDisposable
    {
        public IReadOnlyList<QueuePair> Pairs { get; } = pairs;

        /// <summary>The tags of one queue pair's reader (true), writer (false) or both (null).</summary>
        public KeyValuePair<string, object?>[] Tags(QueuePair pair, bool? reader)
        {
            string? direction = reader switch
            {
                null => null,
                true => side == "guest" ? "rx" : "tx",
                false => side == "guest" ? "tx" : "rx",
            };
            return direction is null
                ? [new("ring.side", side), new("ring.region", region), new("ring.queue", pair.Index)]
                : [new("ring.side", side), new("ring.region", region), new("ring.queue", pair.Index), new("ring.direction", direction)];
        }

        public void Dispose()
        {
            lock (s_endpoints)
                s_endpoints.Remove(this);
        }
    }
}
