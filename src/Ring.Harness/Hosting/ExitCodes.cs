namespace Ring.Harness.Hosting;

/// <summary>
/// Exit codes of the Ring programs and of every bench verb, one table for all (README, "Exit codes"). A test runs
/// one case per code through the real binaries.
/// </summary>
public static class ExitCodes
{
    /// <summary>The run finished and every packet checked out.</summary>
    public const int Ok = 0;
    /// <summary>A failure not listed below: a handshake or run that timed out or stalled, an I/O error, a bench
    /// step that failed.</summary>
    public const int Failure = 1;
    /// <summary>Bad arguments.</summary>
    public const int Usage = 2;
    /// <summary>The run finished but packets were lost, bad or dropped.</summary>
    public const int VerificationFailed = 3;
    /// <summary>The region does not exist.</summary>
    public const int RegionMissing = 4;
    /// <summary>The region is not usable: not a Ring region, another layout version, corrupt, or taken.</summary>
    public const int RegionUnusable = 5;
    /// <summary>The peer died, left before its stream ended, or gave up.</summary>
    public const int PeerLost = 6;
    /// <summary>The peer broke the protocol.</summary>
    public const int ProtocolViolation = 7;
    /// <summary>Interrupted by SIGINT or SIGTERM.</summary>
    public const int Interrupted = 130;

    /// <summary>The exit code for a transport failure.</summary>
    public static int For(RingErrorReason reason) => reason switch
    {
        RingErrorReason.NotFound => RegionMissing,
        RingErrorReason.Foreign or RingErrorReason.Incompatible or RingErrorReason.Corrupt or RingErrorReason.InUse => RegionUnusable,
        RingErrorReason.PeerDied or RingErrorReason.PeerLeft or RingErrorReason.PeerFailed => PeerLost,
        RingErrorReason.ProtocolViolation => ProtocolViolation,
        _ => Failure,
    };
}
