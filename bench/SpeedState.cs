namespace Bench;

/// <summary>
/// The machine's two performance states, told apart by the spin round-trip floor (<c>floors spin 200000</c> of bench/c, or the reference <c>floor spin 200000</c>):
/// about 105-130 ns in the fast state, about 490-510 ns (noisy, up to 10 us) in the slow one, about 3x apart.
/// Ratios are quoted only between runs in one state.
/// </summary>
internal static class SpeedState
{
    /// <summary>Spin round trips below this are the fast state; at or above, the slow one.</summary>
    public const double FastBelowNs = 300;

    /// <summary>The fast state.</summary>
    public const string Fast = "fast";
    /// <summary>The slow state.</summary>
    public const string Slow = "slow";
    /// <summary>A run whose probes before and after disagree: the state changed during it.</summary>
    public const string Mixed = "mixed";
    /// <summary>No probe (no gcc, no reference programs, or the probe failed).</summary>
    public const string Unknown = "unknown";

    /// <summary>"fast" or "slow" for a spin round trip of <paramref name="spinNs"/>.</summary>
    public static string Of(double spinNs) => spinNs < FastBelowNs ? Fast : Slow;

    /// <summary>
    /// The state of a run bracketed by two probes: "fast" or "slow" when both say so, "mixed" when they disagree,
    /// "unknown" when either is missing (0 or less).
    /// </summary>
    public static string Of(double spinBeforeNs, double spinAfterNs)
    {
        if (!(spinBeforeNs > 0 && spinAfterNs > 0))
            return Unknown;
        string before = Of(spinBeforeNs), after = Of(spinAfterNs);
        return before == after ? before : Mixed;
    }
}
