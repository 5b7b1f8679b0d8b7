using System.Runtime;

namespace Ring.Harness.Hosting;

/// <summary>
/// Methods the JIT compiled, and its time compiling, since construction: a run whose hot path was compiled before
/// the clock started compiles nothing while it runs. Tiered compilation's re-compilations (tier 0 to tier 1, on
/// its background thread) count too: with the process pinned to one core they take time slices from the poll loop.
/// </summary>
public sealed class JitMeter
{
    private readonly long _methodsAtStart = JitInfo.GetCompiledMethodCount();
    private readonly TimeSpan _timeAtStart = JitInfo.GetCompilationTime();

    /// <summary>Methods compiled between construction and <see cref="Stop"/>.</summary>
    public long Methods { get; private set; }

    /// <summary>Time spent compiling them, all threads.</summary>
    public TimeSpan Time { get; private set; }

    /// <summary>Takes the readings.</summary>
    public void Stop()
    {
        Methods = JitInfo.GetCompiledMethodCount() - _methodsAtStart;
        Time = JitInfo.GetCompilationTime() - _timeAtStart;
    }
}
