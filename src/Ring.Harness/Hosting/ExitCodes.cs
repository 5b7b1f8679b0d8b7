namespace Ring.Harness.Hosting;

/// <summary>Exit codes of the Ring programs.</summary>
public static class ExitCodes
{
    /// <summary>The run finished and every packet checked out.</summary>
    public const int Ok = 0;
    /// <summary>A runtime failure: missing or foreign region, dead peer, protocol violation, timeout.</summary>
    public const int Failure = 1;
    /// <summary>Bad arguments.</summary>
    public const int Usage = 2;
    /// <summary>The run finished but packets were bad, missing or dropped.</summary>
    public const int VerificationFailed = 3;
    /// <summary>Interrupted by SIGINT or SIGTERM.</summary>
    public const int Interrupted = 130;
}
