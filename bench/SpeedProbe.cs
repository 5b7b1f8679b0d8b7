using Ring.Harness.Hosting;
using Ring;

namespace Bench;

/// <summary>
/// The sweep's speed-state probe: <c>floor spin 100000</c> (floor.c of <c>../shared/reference</c>, built with gcc
/// into a temporary folder) run before and after every point. Without gcc or the reference programs it is
/// <see cref="Available"/> false, says why once, and every probe returns 0 (state "unknown").
/// </summary>
internal sealed class SpeedProbe : IDisposable
{
    /// <summary>Round trips per probe: about 12 ms in the fast state, 50 ms in the slow one.</summary>
    public const int SpinCount = 100_000;

    private readonly ReferencePrograms? _programs;
    private readonly Func<double>? _spin;
    private readonly TextWriter _progress;
    private bool _failureSaid;

    private SpeedProbe(ReferencePrograms? programs, Func<double>? spin, string? unavailable, TextWriter progress)
    {
        _programs = programs;
        _spin = spin;
        Unavailable = unavailable;
        _progress = progress;
    }

    /// <summary>Whether the probe runs.</summary>
    public bool Available => _spin is not null;

    /// <summary>Why the probe does not run; null when it does.</summary>
    public string? Unavailable { get; }

    /// <summary>The last probe's state, "unknown" before any (or after a failed one).</summary>
    public string LastState { get; private set; } = SpeedState.Unknown;

    /// <summary>Builds floor.c; when it cannot, says so once on <paramref name="progress"/> and returns a probe that does nothing.</summary>
    public static SpeedProbe Open(TextWriter progress)
    {
        string? source = RepoRoot.ReferenceFolder();
        string? why = null;
        ReferencePrograms? programs = null;
        if (source is null || !File.Exists(Path.Combine(source, "floor.c")))
            why = $"no reference programs at {source ?? "<repo root>/../shared/reference (no Ring.sln above here)"}";
        else if (ReferencePrograms.OnPath("gcc") is null)
            why = "gcc not found (.ci/run installs it; or apt-get install -y gcc)";
        else
        {
            try
            {
                programs = ReferencePrograms.Build(source, "floor");
            }
            catch (RunFailedException e)
            {
                why = $"building floor.c failed: {e.Message.Split('\n')[0]}";
            }
        }
        if (why is not null)
            progress.WriteLine($"sweep: no speed-state probes ({why}); carrying on, every point's state is {SpeedState.Unknown}");
        return new SpeedProbe(programs, programs is null ? null : () => programs.Floor("spin", SpinCount), why, progress);
    }

    /// <summary>A probe whose round trips come from <paramref name="spin"/> (tests script the machine's state with it).</summary>
    public static SpeedProbe Of(Func<double> spin, TextWriter progress) => new(null, spin, null, progress);

    /// <summary>One <c>floor spin</c> round trip, ns; 0 when the probe is unavailable or failed (said once).</summary>
    public double Spin()
    {
        if (_spin is null)
            return 0;
        try
        {
            double ns = _spin();
            LastState = SpeedState.Of(ns);
            return ns;
        }
        catch (RunFailedException e)
        {
            LastState = SpeedState.Unknown;
            if (!_failureSaid)
                _progress.WriteLine($"sweep: floor spin failed ({e.Message.Split('\n')[0]}); that point's state is {SpeedState.Unknown}");
            _failureSaid = true;
            return 0;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _programs?.Dispose();
}
