using Ring.Harness.Hosting;
using Ring;

namespace Bench;

/// <summary>
/// The sweep's speed-state probe: <c>floors spin 100000</c> (the project's bench/c/floors.c, built with gcc into a
/// temporary folder, on cores 0 and 1) run before and after every point. Without gcc it is <see cref="Available"/>
/// false, says why once, and every probe returns 0 (state "unknown").
/// </summary>
internal sealed class SpeedProbe : IDisposable
{
    /// <summary>Round trips per probe: about 12 ms in the fast state, 50 ms in the slow one.</summary>
    public const int SpinCount = 100_000;

    private readonly BaselinePrograms? _programs;
    private readonly Func<double>? _spin;
    private readonly TextWriter _progress;
    private bool _failureSaid;

    private SpeedProbe(BaselinePrograms? programs, Func<double>? spin, string? unavailable, TextWriter progress)
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

    /// <summary>Builds floors.c; when it cannot, says so once on <paramref name="progress"/> and returns a probe that does nothing.</summary>
    public static SpeedProbe Open(TextWriter progress)
    {
        string? why = null;
        BaselinePrograms? programs = null;
        if (!CProgramFolder.GccFound)
            why = CProgramFolder.NoGcc;
        else
        {
            try
            {
                programs = BaselinePrograms.Build();
            }
            catch (RunFailedException e)
            {
                why = $"building bench/c failed: {e.Message.Split('\n')[0]}";
            }
        }
        if (why is not null)
            progress.WriteLine($"sweep: no speed-state probes ({why}); carrying on, every point's state is {SpeedState.Unknown}");
        return new SpeedProbe(programs, programs is null ? null : () => programs.RunFloor("spin", SpinCount, ""), why, progress);
    }

    /// <summary>A probe whose round trips come from <paramref name="spin"/> (tests script the machine's state with it).</summary>
    public static SpeedProbe Of(Func<double> spin, TextWriter progress) => new(null, spin, null, progress);

    /// <summary>One <c>floors spin</c> round trip, ns; 0 when the probe is unavailable or failed (said once).</summary>
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
                _progress.WriteLine($"sweep: floors spin failed ({e.Message.Split('\n')[0]}); that point's state is {SpeedState.Unknown}");
            _failureSaid = true;
            return 0;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _programs?.Dispose();
}
