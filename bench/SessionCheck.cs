using Ring.Harness.Hosting;

namespace Bench;

/// <summary>
/// Whether a reconnecting Consumer's run adds up, session by session (<see cref="RingAccounting.BySession"/>): every
/// packet received in order with none missing, bad, duplicated or dropped; each lost producer's gap exactly what it
/// had published and the consumer never read (its counters in the region, less what was read), which a ring of
/// <c>--ring-size</c> entries cannot make larger than itself; the last producer's stream ended with nothing in flight
/// and its own count equal to the consumer's; and <c>sent = received + dropped + in flight</c> over the whole run.
/// Whatever does not hold is an unexplained gap, one line each.
/// </summary>
internal sealed record SessionCheck(int Sessions, long Packets, long LeftInFlight, IReadOnlyList<string> Unexplained)
{
    /// <summary>Checks <paramref name="consumer"/>'s summary: <paramref name="sessions"/> producers were started, the
    /// last of which (<paramref name="lastProducer"/>) ended its stream; a ring holds <paramref name="ringEntries"/>.</summary>
    public static SessionCheck Of(RunSummary consumer, RunSummary lastProducer, int sessions, int ringEntries)
    {
        var problems = new List<string>();
        var accounting = consumer.Accounting;
        var bySession = accounting.BySession;
        if (!consumer.Verified)
            problems.Add($"verification: {consumer.Failures}");
        if (consumer.Sessions != sessions || bySession.Count != sessions)
            problems.Add($"{sessions} producers, but the consumer counted {consumer.Sessions} sessions and accounted for {bySession.Count}");
        foreach (var s in bySession.Take(bySession.Count - 1))
        {
            if (s.PeerSent is null || s.InFlight is not { } gap || gap < 0 || gap > ringEntries)
                problems.Add($"session {s.Session} ({s.Lost}): the producer published {s.PeerSent?.ToString() ?? "?"}, the consumer read "
                    + $"{s.Read}: a gap of {s.InFlight?.ToString() ?? "?"}, not 0..{ringEntries} (what a ring can hold)");
        }
        if (bySession.LastOrDefault() is { } last && (last.Lost.Length != 0 || last.InFlight != 0 || last.PeerSent != (long)lastProducer.Sent))
            problems.Add($"the last session: the producer sent {lastProducer.Sent}, the consumer saw {last.PeerSent?.ToString() ?? "?"} "
                + $"published, read {last.Read}{(last.Lost.Length == 0 ? "" : $", lost it: {last.Lost}")}");
        if (accounting.PeerSent is not { } sent || sent != accounting.Received + accounting.Dropped + accounting.InFlight
            || accounting.Received != (long)consumer.Received)
            problems.Add($"accounting does not add up: {accounting}");
        long leftInFlight = bySession.Sum(s => s.InFlight ?? 0);
        return new SessionCheck(consumer.Sessions, (long)consumer.Received, leftInFlight, problems);
    }

    /// <summary>Whether it all adds up.</summary>
    public bool Clean => Unexplained.Count == 0;
}
