using Ring.Harness.Hosting;

namespace Consumer;

/// <summary>One queue pair's poll loop in the guest, whichever application it runs.</summary>
internal interface IGuestLoop
{
    /// <summary>Polls until the application is done or <paramref name="cancel"/> fires.</summary>
    void Run(long startTicks, CancellationToken cancel);

    /// <summary>Adds what this loop did to <paramref name="summary"/> (after <see cref="Run"/>).</summary>
    void Report(RunSummary summary);
}
