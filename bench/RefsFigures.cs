namespace Bench;

/// <summary>
/// The names of the figures a <c>refs</c> round measures (the unit ends each name) and the ratios quoted between
/// them. A ratio is computed in a round only when the round has both of its figures.
/// </summary>
internal static class RefsFigures
{
    /// <summary>Ring's pair, busy-poll, in <paramref name="direction"/> (rx or tx), Mpps.</summary>
    public static string Ring(string direction) => $"ring_{direction}_mpps";

    /// <summary>The C ring (bench/c/cring.c) in <paramref name="direction"/>, Mpps.</summary>
    public static string Cring(string direction) => $"cring_{direction}_mpps";

    /// <summary>lean.c built in <paramref name="geometry"/>, Mpps.</summary>
    public static string Lean(LeanGeometry geometry) => $"{geometry.Name}_mpps";

    /// <summary>DPDK memif (testpmd txonly to rxonly), Mpps.</summary>
    public const string Memif = "memif_mpps";

    /// <summary>floors spin before the round, ns.</summary>
    public const string FloorsSpinBefore = "floors_spin_before_ns";
    /// <summary>floors spin after the round, ns.</summary>
    public const string FloorsSpinAfter = "floors_spin_after_ns";
    /// <summary>The mean of the two: the round's spin floor, ns.</summary>
    public const string FloorsSpin = "floors_spin_ns";
    /// <summary>floors futex, ns.</summary>
    public const string FloorsFutex = "floors_futex_ns";
    /// <summary>The reference floor.c spin, ns.</summary>
    public const string FloorSpin = "floor_spin_ns";
    /// <summary>The reference floor.c futex, ns.</summary>
    public const string FloorFutex = "floor_futex_ns";

    /// <summary>Ring's rtt, busy-poll, median round trip, ns.</summary>
    public const string RttPoll = "ring_rtt_poll_p50_ns";
    /// <summary>Ring's rtt, event mode, back-to-back, median round trip, ns.</summary>
    public const string RttEvent = "ring_rtt_event_p50_ns";
    /// <summary>Ring's rtt, event mode, paced so both sides sleep between pings, median round trip, ns.</summary>
    public const string RttEventIdle = "ring_rtt_event_idle_p50_ns";

    /// <summary>Every ratio refs quotes: its name, then the figures it divides.</summary>
    public static readonly IReadOnlyList<(string Name, string Numerator, string Denominator)> Ratios =
    [
        .. new[] { "rx", "tx" }.SelectMany(d => new[]
        {
            ($"ring_{d}/cring_{d}", Ring(d), Cring(d)),
            ($"ring_{d}/lean", Ring(d), Lean(LeanGeometry.Default)),
            ($"ring_{d}/{LeanGeometry.Nb1024Bs2048.Name}", Ring(d), Lean(LeanGeometry.Nb1024Bs2048)),
            ($"ring_{d}/{LeanGeometry.Nb1024Bs2112.Name}", Ring(d), Lean(LeanGeometry.Nb1024Bs2112)),
            ($"ring_{d}/{LeanGeometry.Nb4096Bs2048.Name}", Ring(d), Lean(LeanGeometry.Nb4096Bs2048)),
            ($"cring_{d}/lean", Cring(d), Lean(LeanGeometry.Default)),
        }),
        ("ring_rx/memif", Ring("rx"), Memif),
        ("rtt_poll/floors_spin", RttPoll, FloorsSpin),
        ("rtt_event/floors_futex", RttEvent, FloorsFutex),
        ("rtt_event_idle/floors_futex", RttEventIdle, FloorsFutex),
        ("rtt_poll/floor_spin", RttPoll, FloorSpin),
        ("rtt_event/floor_futex", RttEvent, FloorFutex),
    ];
}
