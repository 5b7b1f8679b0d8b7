using Ring.Harness.Hosting;

namespace Producer;

/// <summary>One queue pair's poll loop in the device, whichever uplink feeds it.</summary>
internal interface IDeviceLoop
{
    /// <summary>Polls until the loop is done, or <paramref name="cancel"/> fires (the run is interrupted).</summary>
    void Run(long startTicks, CancellationToken cancel);

    /// <summary>Adds what this loop did to <paramref name="summary"/> (after <see cref="Run"/>).</summary>
    void Report(RunSummary summary);
}
