using Ring.Harness.Hosting;
using Ring;

namespace Bench;

/// <summary>
/// Runs <c>refs</c> rounds one at a time (see <see cref="RefsCommand"/>) and remembers, per lean.c geometry, how
/// many packets last for the run's seconds.
/// </summary>
internal sealed class RefsRoundRunner(RefsOptions options, BaselinePrograms baselines, ReferencePrograms? references,
    RefsReport report, TextWriter progress)
{
    private readonly Dictionary<LeanGeometry, double> _leanMpps = [];

    /// <summary>lean.c takes a packet count, not seconds: one short run per geometry measures its rate, not counted.</summary>
    public void SizeLean()
    {
        if (references is null)
            return;
        foreach (var geometry in LeanGeometry.All)
        {
            progress.WriteLine($"refs: sizing {geometry.Name} ({RefsCommand.LeanSizingPackets} packets, not counted)");
            _leanMpps[geometry] = references.Lean(geometry, RefsCommand.LeanSizingPackets, options.Size);
        }
    }

    /// <summary>Runs round <paramref name="number"/>: the spin probe, every program (in reverse order in even rounds), the spin probe.</summary>
    public RefsRound Round(int number)
    {
        var round = new RefsRound { Number = number };
        Say(number, "floors spin (state before)");
        round.Figures[RefsFigures.FloorsSpinBefore] = baselines.RunFloor("spin", RefsCommand.SpinCount, options.Cpus);
        var steps = Steps(round);
        if (number % 2 == 0)
            steps.Reverse();
        foreach (var (what, run) in steps)
        {
            Say(number, what);
            run();
        }
        Say(number, "floors spin (state after)");
        round.Figures[RefsFigures.FloorsSpinAfter] = baselines.RunFloor("spin", RefsCommand.SpinCount, options.Cpus);
        round.Complete();
        return round;
    }

    private List<(string What, Action Run)> Steps(RefsRound round)
    {
        var figures = round.Figures;
        string seconds = $"{options.Seconds:0.###} s";
        var steps = new List<(string, Action)>();
        foreach (string direction in options.Directions())
        {
            steps.Add(($"cring {direction} {seconds}", () => figures[RefsFigures.Cring(direction)] =
                baselines.RunCring(direction, options.Size, options.Seconds, options.Stride, options.Cpus)));
            steps.Add(($"ring pair {direction} {seconds}", () => figures[RefsFigures.Ring(direction)] = RingPair(direction)));
        }
        if (references is not null)
        {
            foreach (var geometry in LeanGeometry.All)
                steps.Add(($"{geometry.Name} ~{seconds}", () => figures[RefsFigures.Lean(geometry)] = Lean(geometry)));
            if (report.MemifNote is null)
                steps.Add(($"memif.sh {MemifSeconds} {options.Size}", () => Memif(round)));
            steps.Add(("floor.c spin, futex", () =>
            {
                figures[RefsFigures.FloorSpin] = references.Floor("spin", RefsCommand.SpinCount);
                figures[RefsFigures.FloorFutex] = references.Floor("futex", RefsCommand.FutexCount);
            }));
        }
        steps.Add(("floors futex", () => figures[RefsFigures.FloorsFutex] = baselines.RunFloor("futex", RefsCommand.FutexCount, options.Cpus)));
        steps.Add(("ring rtt poll, event, event @ 1 kpps", () => RingRtt(round)));
        return steps;
    }

    private double RingPair(string direction)
    {
        var pair = PairCommand.Execute(new PairOptions
        {
            Mode = "poll", Direction = direction, Size = options.Size, Seconds = options.Seconds, Cpus = options.Cpus,
        }, out _);
        if (!pair.Clean)
            throw new RunFailedException($"refs: Ring's pair {direction} lost, dropped or misordered packets "
                + $"(sent {pair.Sent}, received {pair.Received}, bad {pair.Bad}, missing {pair.Missing}, dropped {pair.Dropped})");
        return pair.Mpps;
    }

    private double Lean(LeanGeometry geometry)
    {
        long packets = Math.Max(1_000_000, (long)(_leanMpps[geometry] * 1e6 * options.Seconds));
        double mpps = references!.Lean(geometry, packets, options.Size);
        _leanMpps[geometry] = mpps;
        return mpps;
    }

    /// <summary>memif.sh's run: whole seconds, at least two of its 2-second rate reports.</summary>
    private int MemifSeconds => Math.Max(4, (int)Math.Ceiling(options.Seconds));

    private void Memif(RefsRound round)
    {
        try
        {
            round.Figures[RefsFigures.Memif] = references!.Memif(MemifSeconds, options.Size);
        }
        catch (RunFailedException e)
        {
            round.MemifNote = $"memif: failed ({e.Message.Split('\n')[0]})";
        }
    }

    private void RingRtt(RefsRound round)
    {
        long Count(long count) => options.RttCount > 0 ? options.RttCount : count;
        var poll = RttCommand.Execute(new RttOptions { Mode = "poll", Cpus = options.Cpus, Count = Count(Math.Clamp((long)(RefsCommand.PollPingsPerSecond * options.Seconds), 1, RttOptions.MaxCount)) });
        var back = RttCommand.Execute(new RttOptions { Mode = "event", Cpus = options.Cpus, Count = Count(RefsCommand.EventPingCount) });
        var idle = RttCommand.Execute(new RttOptions { Mode = "event", Cpus = options.Cpus, Rate = RefsCommand.IdlePingRate, Count = Count(RefsCommand.IdlePingCount) });
        round.Figures[RefsFigures.RttPoll] = poll.P50Ns;
        round.Figures[RefsFigures.RttEvent] = back.P50Ns;
        round.Figures[RefsFigures.RttEventIdle] = idle.P50Ns;
        round.RttOverlapped = poll.Overlapped || back.Overlapped || idle.Overlapped;
        round.RttEventIdleCount = idle.Count;
        round.RttEventIdleWakeups = idle.Wakeups;
        round.RttEventIdleConsumerCpu = idle.ConsumerCpu;
    }

    private void Say(int number, string what) => progress.WriteLine($"refs: round {number}/{options.Rounds}: {what}");
}
