namespace Bench;

/// <summary>
/// The machine's two performance states, told apart by the spin round-trip floor (<c>floor spin 200000</c>):
/// about 105-130 ns in the fast state, about 490-510 ns (noisy, up to 10 us) in the slow one, about 3x apart.
/// Ratios are quoted only between runs in one state.
/// </summary>
internal static class SpeedState
{
    /// <summary>Spin round trips below this are the fast state; at or above, the slow one.</summary>
    public const double FastBelowNs = 300;

    /// <summary>"fast" or "slow" for a spin round trip of <paramref name="spinNs"/>.</summary>
    public static string Of(double spinNs) => spinNs < FastBelowNs ? "fast" : "slow";
}
