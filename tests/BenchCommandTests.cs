using Ring.Harness.Hosting;
using System.Text.Json;
using System.Text.RegularExpressions;
using Bench;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The bench's code paths on tiny inputs: a two-mode, two-load sweep run in-process (its files, its table, its
/// advice, and redrawing its pictures), <c>rtt</c> and <c>pair --rate</c> through the built bench program, the reference programs built from
/// ../shared/reference when it is there, and the pure parts (advisor, CSV, figure parsing). Nothing here asserts a speed: the box is
/// small and shared, so only shapes, counts and orderings are checked. Every program start has a deadline.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class BenchCommandTests : IDisposable
{
    private static readonly string[] States = ["fast", "slow", "mixed", "unknown"];

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly ProgramRunner _runner = new();
    private readonly string _out = Directory.CreateTempSubdirectory("bench-tests-").FullName;

    [Fact]
    public void Sweep_TwoModesTwoLoads_WritesCsvJsonPngsAndAdvice()
    {
        var progress = new StringWriter();
        var options = new SweepOptions { Modes = "poll,event", Rates = "1000,0", Seconds = 0.3, Cpus = "", Out = _out };

        var report = SweepCommand.Execute(options, progress);

        Assert.All(report.Points, p => Assert.True(p.Error is null && p.Clean, $"{p.Mode} @ {p.RatePps}: {p.Error ?? "packets lost"}"));
        Assert.StartsWith(_out, report.Directory);
        string[] csv = File.ReadAllLines(Path.Combine(report.Directory, "sweep.csv"));
        string[] header = csv[0].Split(',');
        Assert.Subset(header.ToHashSet(),
            new HashSet<string> { "mode", "rate_pps", "mpps", "p50_ns", "p99_ns", "consumer_cpu", "producer_cpu", "pkts_per_wakeup" });
        Assert.Subset(header.ToHashSet(), new HashSet<string> { "spin_ns_before", "spin_ns_after", "state" });
        Assert.Subset(header.ToHashSet(), new HashSet<string> { "consumer_involuntary_switches", "producer_involuntary_switches" });
        Assert.Equal(1 + 2 * 2, csv.Length);
        foreach (string row in csv.Skip(1))
        {
            string[] cells = row.Split(',');
            long p50 = long.Parse(cells[Array.IndexOf(header, "p50_ns")]);
            long p99 = long.Parse(cells[Array.IndexOf(header, "p99_ns")]);
            Assert.True(p50 <= p99, $"p50 {p50} > p99 {p99} in: {row}");
            string state = cells[Array.IndexOf(header, "state")];
            Assert.Contains(state, States);
            double before = double.Parse(cells[Array.IndexOf(header, "spin_ns_before")], System.Globalization.CultureInfo.InvariantCulture);
            double after = double.Parse(cells[Array.IndexOf(header, "spin_ns_after")], System.Globalization.CultureInfo.InvariantCulture);
            if (state != "unknown")
                Assert.True(before > 0 && after > 0, $"state {state} without both probes in: {row}");
        }
        Assert.Equal(["poll,1000", "poll,0", "event,1000", "event,0"], csv.Skip(1).Select(r => string.Join(',', r.Split(',')[..2])));

        string json = File.ReadAllText(Path.Combine(report.Directory, "sweep.json"));
        using (var doc = JsonDocument.Parse(json))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("points").GetArrayLength());
            foreach (var point in doc.RootElement.GetProperty("points").EnumerateArray())
            {
                Assert.Contains(point.GetProperty("state").GetString(), States);
                Assert.True(point.TryGetProperty("spin_ns_before", out _) && point.TryGetProperty("spin_ns_after", out _), json);
            }
            Assert.Contains(doc.RootElement.GetProperty("majority_state").GetString(), States);
        }
        var parsed = SweepReport.FromJson(json);
        Assert.NotNull(parsed);
        Assert.All(parsed.Points, p => Assert.True(p.P50Ns <= p.P99Ns, $"{p.Mode} @ {p.RatePps}: p50 {p.P50Ns} > p99 {p.P99Ns}"));

        foreach (string name in new[] { "latency.png", "cpu.png" })
        {
            byte[] png = File.ReadAllBytes(Path.Combine(report.Directory, name));
            Assert.True(png.Length > PngSignature.Length, $"{name} is empty");
            Assert.Equal(PngSignature, png[..PngSignature.Length]);
        }

        File.Delete(Path.Combine(report.Directory, "latency.png"));
        var (latency, _) = PlotCommand.Execute(report.Directory);
        Assert.Equal(PngSignature, File.ReadAllBytes(latency)[..PngSignature.Length]);

        // Three default targets at the one load that is not saturation, when a point at that load ran in the
        // majority speed state (a box that flips state can leave both in another: then there is no load to advise on).
        int loads = report.Points.Where(p => !p.OffState && p.RatePps > 0).Select(p => p.RatePps).Distinct().Count();
        Assert.Equal(3 * loads, report.Advice.Count);
        Assert.All(report.Advice, a => Assert.Matches(AdviceLine(), a.Line));
        Assert.All(report.PreemptionNotes, note => Assert.Matches(PreemptionNote(), note));
        string table = SweepCommand.Table(report);
        Assert.Contains("saturation", table);
        Assert.Contains(" state ", table.Split('\n')[1]);
        Assert.Matches(@"^advisor \((fast|slow) state: from the [0-9]+ usable|^advisor \(speed state unknown", report.AdvisorHeader);
        Assert.Contains("[1/4] poll @ 1000 pps", progress.ToString());
        Assert.Contains("[4/4] event @ saturation", progress.ToString());
    }

    [Fact]
    public void Sweep_PointWhoseStateChanged_IsReRunAndKeptInTheMajorityState()
    {
        var progress = new StringWriter();
        var options = new SweepOptions { Modes = "poll", Rates = "1000,0", Seconds = 0.2, Cpus = "", Out = _out };
        // poll @ 1000: fast/fast; poll @ saturation: fast -> slow (mixed); its re-run: fast/fast.
        using var probe = ScriptedProbe(progress, 110, 112, 115, 495, 108, 111);

        var report = SweepCommand.Execute(options, progress, probe);

        Assert.Equal("fast", report.MajorityState);
        Assert.Equal(["fast", "fast"], report.Points.Select(p => p.State));
        Assert.Equal([1, 2], report.Points.Select(p => p.Tries));
        Assert.All(report.Points, p => Assert.False(p.OffState));
        Assert.Contains("re-run poll @ saturation (try 2/3): the speed state changed during it (fast -> slow", progress.ToString());
        Assert.DoesNotContain("*", SweepCommand.Table(report));
        Assert.StartsWith("advisor (fast state: from the 2 usable", report.AdvisorHeader);
    }

    [Fact]
    public void Sweep_PointStillOffStateAfterThreeTries_IsMarkedAndLeftOutOfTheAdvice()
    {
        var progress = new StringWriter();
        var options = new SweepOptions { Modes = "poll", Rates = "1000,10000,20000", Seconds = 0.2, Cpus = "", Out = _out };
        // Two fast points, then one slow; try 2 finds the machine slow before it starts (skipped), try 3 runs and
        // comes out mixed: the slow try is kept, marked off-state.
        using var probe = ScriptedProbe(progress, 110, 112, 115, 118, 495, 500, 505, 109, 490);

        var report = SweepCommand.Execute(options, progress, probe);

        Assert.Equal("fast", report.MajorityState);
        var off = report.Points[2];
        Assert.Equal(("slow", 3, true), (off.State, off.Tries, off.OffState));
        Assert.Equal(495, off.SpinNsBefore);
        string said = progress.ToString();
        Assert.Contains("re-run poll @ 20000 pps (try 2/3) skipped: it ran in the slow state", said);
        Assert.Contains("re-run poll @ 20000 pps (try 3/3): it ran in the slow state", said);
        Assert.Contains("1 point(s) still off-state after 3 tries", said);
        string table = SweepCommand.Table(report);
        Assert.Contains("slow*", table);
        Assert.Contains("* off-state: 1 point(s)", table);
        Assert.DoesNotContain(report.Advice, a => a.RatePps == 20000 && a.Mode is not null);
        string csv = File.ReadAllText(Path.Combine(report.Directory, "sweep.csv"));
        Assert.Contains(",495,500,slow,3,true,", csv);
    }

    [Fact]
    public void Rtt_Count2000Poll_PrintsJsonWithCountAndOrderedPercentiles()
    {
        var result = _runner.Run("bench", "rtt", "--count", "2000", "--mode", "poll", "--json", "--cpus", "", "--region", _runner.Region);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rtt = RttResult.FromJson(LastLine(result));
        Assert.NotNull(rtt);
        Assert.Equal(2000, rtt.Count);
        Assert.Equal("poll", rtt.Mode);
        Assert.True(rtt.P50Ns > 0 && rtt.P50Ns <= rtt.P99Ns && rtt.P99Ns <= rtt.MaxNs, result.ToString());
        using var doc = JsonDocument.Parse(LastLine(result));
        foreach (string key in new[] { "consumer_involuntary_switches", "producer_involuntary_switches", "consumer_voluntary_switches", "producer_voluntary_switches" })
            Assert.True(doc.RootElement.TryGetProperty(key, out var value) && value.GetInt64() >= 0, $"no {key} in {LastLine(result)}");
        Assert.Contains("preempted consumer ", result.Stdout);
    }

    [Fact]
    public void Rtt_Rate2000Count500_PacedPingsWithOrderedPercentiles()
    {
        var result = _runner.Run("bench", "rtt", "--rate", "2000", "--count", "500", "--json", "--cpus", "", "--region", _runner.Region);

        Assert.True(result.ExitCode == 0, result.ToString());
        var rtt = RttResult.FromJson(LastLine(result));
        Assert.NotNull(rtt);
        Assert.Equal(500, rtt.Count);
        Assert.Equal(2000, rtt.RatePps);
        Assert.True(rtt.P50Ns > 0 && rtt.P50Ns <= rtt.P99Ns, result.ToString());
        Assert.True(rtt.Seconds >= 0.2, $"500 pings at 2000 pps took {rtt.Seconds} s: not paced");
        Assert.Contains("paced at 2000 pps", result.Stdout);
    }

    [Fact]
    public void Pair_Rate20000HalfSecond_JsonHasReceiverLatencyAndAllocations()
    {
        var result = _runner.Run("bench", "pair", "--rate", "20000", "--seconds", "0.5", "--json", "--cpus", "", "--region", _runner.Region);

        Assert.True(result.ExitCode == 0, result.ToString());
        string line = LastLine(result);
        using (var doc = JsonDocument.Parse(line))
        {
            foreach (string key in new[] { "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "consumer_alloc_bytes", "producer_alloc_bytes", "consumer_gcs", "producer_gcs",
                "consumer_involuntary_switches", "producer_involuntary_switches", "consumer_voluntary_switches", "producer_voluntary_switches" })
                Assert.True(doc.RootElement.TryGetProperty(key, out _), $"no {key} in {line}");
        }
        var pair = PairResult.FromJson(line);
        Assert.NotNull(pair);
        Assert.Equal("consumer", pair.LatencyOf);
        Assert.Equal(20000, pair.RatePps);
        Assert.True(pair.P50Ns > 0, result.ToString());
        Assert.True(pair.P50Ns <= pair.P90Ns && pair.P90Ns <= pair.P99Ns && pair.P99Ns <= pair.P999Ns && pair.P999Ns <= pair.MaxNs, line);
        Assert.Equal(pair.Sent, pair.Received);
        Assert.Contains("latency (consumer receiving, one-way): p50", result.Stdout);
        // Preemption is counted, never negative, and at most one per scheduler tick (1 ms at the fastest) of the run.
        long ticks = (long)(pair.Seconds * 1000) + 100;
        foreach (long switches in new[] { pair.ConsumerInvoluntarySwitches, pair.ProducerInvoluntarySwitches })
            Assert.True(switches >= 0 && switches <= ticks, line);
        Assert.Contains(" preempted ", result.Stdout.Split('\n')[1]);
    }

    [Fact]
    public void Pair_EventModePinnedPollThreads_SleepsShowAsVoluntarySwitches()
    {
        string cpus = string.Join(',', ThreadAffinity.Allowed().Take(2));
        if (cpus.Contains(',') is false)
            return; // one core: nothing to pin the two poll threads apart on

        var result = _runner.Run("bench", "pair", "--mode", "event", "--rate", "2000", "--seconds", "0.5", "--json", "--cpus", cpus,
            "--pin", "poll", "--region", _runner.Region);

        Assert.True(result.ExitCode == 0, result.ToString());
        var pair = PairResult.FromJson(LastLine(result));
        Assert.NotNull(pair);
        // At 2000 pps the consumer sleeps between packets: each sleep it took on the futex is a voluntary switch.
        Assert.True(pair.ConsumerVoluntarySwitches > 0, LastLine(result));
        Assert.Contains("(poll threads only)", result.Stdout);
    }

    [Fact]
    public void ReferencePrograms_BuiltFromShared_RunAndCleanUp()
    {
        // The yardsticks sit beside the repository, not in it: a lone clone has none, and refs then runs the C
        // baselines alone (RefsCommandTests). There is nothing of theirs to check here then.
        string? source = RepoRoot.ReferenceFolder();
        if (!ReferencePrograms.Present(source))
            return;
        Assert.True(CProgramFolder.GccFound, CProgramFolder.NoGcc);

        string built;
        using (var programs = ReferencePrograms.Build(source!))
        {
            built = programs.Folder;
            Assert.False(built.StartsWith(RepoRoot.Find()!, StringComparison.Ordinal), $"built inside the repository: {built}");
            Assert.True(programs.Floor("spin", 2000) > 0);
            foreach (var geometry in LeanGeometry.All)
                Assert.True(programs.Lean(geometry, 100_000, 64) > 0, geometry.Name);
        }
        Assert.False(Directory.Exists(built), $"{built} left behind");
    }

    [Fact]
    public void Advice_TwoModesMeetTarget_NamesTheOneWithLessConsumerCpu()
    {
        SweepPoint[] points =
        [
            Point("poll", 1000, p99: 2_000, cpu: 100),
            Point("hybrid", 1000, p99: 8_000, cpu: 12),
            Point("event", 1000, p99: 40_000, cpu: 3),
            Point("poll", 0, p99: 1_000, cpu: 100),
        ];

        var advice = SweepAdvice.From(points, [10_000, 1_000]);

        Assert.Equal(["p99 <= 10 us at 1 kpps: hybrid, 12 % of a core", "p99 <= 1 us at 1 kpps: none"], advice.Select(a => a.Line));
    }

    [Fact]
    public void Advice_ModeThatDidNotKeepUp_IsNotAdvised()
    {
        var behind = Point("event", 1_000_000, p99: 5_000, cpu: 20);
        behind.Mpps = 0.5; // received half the offered load

        var advice = SweepAdvice.From([behind, Point("poll", 1_000_000, p99: 9_000, cpu: 100)], [10_000]);

        Assert.Equal("p99 <= 10 us at 1 Mpps: poll, 100 % of a core", Assert.Single(advice).Line);
    }

    [Fact]
    public void PreemptionNotes_TailTenTimesTheMedianWithAPreemptedConsumer_SayTheBoxNotTheTransport()
    {
        var preempted = Point("poll", 10_000, p99: 24_000_000, cpu: 100);
        preempted.P50Ns = 541;
        preempted.ConsumerInvoluntarySwitches = 12;
        preempted.ProducerInvoluntarySwitches = 3;
        var quiet = Point("hybrid", 10_000, p99: 30_000_000, cpu: 40); // a long tail, but the consumer kept its core
        var flat = Point("event", 10_000, p99: 60_000, cpu: 5);         // preempted, but p99 only 2x p50
        flat.ConsumerInvoluntarySwitches = 40;

        var notes = SweepAdvice.PreemptionNotes([preempted, quiet, flat]);

        Assert.Equal("poll @ 10 kpps: p99 24 ms is 44362x p50 541 ns: p99 at this point is the box, not the transport: "
            + "the consumer was preempted 12 times (the producer 3 times)", Assert.Single(notes));
        var report = new SweepReport { Points = [preempted, quiet, flat], PreemptionNotes = notes };
        Assert.Equal(notes, report.AdviceLines.ToList());
        Assert.Contains("12/3", SweepCommand.Table(report));
        Assert.Equal("10.7", PreemptedTail.Ratio(232_060, 21_730));
    }

    [Fact]
    public void Charts_PreemptedPointAndSaturation_DrawBothPictures()
    {
        var preempted = Point("poll", 10_000, p99: 24_000_000, cpu: 100);
        preempted.P50Ns = 541;
        preempted.ConsumerInvoluntarySwitches = 12;
        SweepPoint[] points = [preempted, Point("poll", 0, p99: 900_000, cpu: 100), Point("event", 10_000, p99: 60_000, cpu: 5)];
        Assert.True(preempted.TailIsPreemption);

        var (latency, cpu) = SweepCharts.Write(_out, points, 64);

        foreach (string png in new[] { latency, cpu })
            Assert.Equal(PngSignature, File.ReadAllBytes(png)[..PngSignature.Length]);
    }

    [Fact]
    public void Csv_ErrorWithCommaAndQuote_IsQuoted()
    {
        string csv = SweepCsv.Format([SweepPoint.Failed("event", 1000, "pair: \"x\", then y")]);

        Assert.EndsWith(",false,\"pair: \"\"x\"\", then y\"\n", csv);
    }

    [Fact]
    public void Figure_LeanAndFloorOutput_ParsesTheNamedNumber()
    {
        Assert.Equal(148.22, CProgramFolder.Figure("pkt=64 Mpps=148.22 Gbps=75.89 bad=0\n", "Mpps"));
        Assert.Equal(113, CProgramFolder.Figure("spin rtt_ns=113\n", "rtt_ns"));
        Assert.Equal(41.5, CProgramFolder.Figure("cring dir=rx pkt=64 nb=1024 packets=9 seconds=1.000 Mpps=41.50 Gbps=21.25 bad=0\n", "Mpps"));
        Assert.Throws<RunFailedException>(() => CProgramFolder.Figure("nothing", "memif_mpps"));
    }

    [Fact]
    public void RttResult_RunShorterThanHalfCountTimesP50_IsOverlapped()
    {
        Assert.True(new RttResult { Count = 200_000, P50Ns = 1_000, Seconds = 0.016 }.Overlapped);
        Assert.False(new RttResult { Count = 200_000, P50Ns = 1_000, Seconds = 0.21 }.Overlapped);
    }

    [Fact]
    public void SpeedState_SpinFloors_TellFastFromSlow()
    {
        Assert.Equal("fast", SpeedState.Of(112));
        Assert.Equal("slow", SpeedState.Of(505));
        Assert.Equal("fast", SpeedState.Of(112, 120));
        Assert.Equal("mixed", SpeedState.Of(112, 495));
        Assert.Equal("unknown", SpeedState.Of(0, 0));
    }

    [Fact]
    public void MajorityState_CountsFastAndSlowOnly_TieGoesToTheCurrentState()
    {
        SweepPoint[] points =
        [
            new() { State = "fast" }, new() { State = "slow" }, new() { State = "slow" }, new() { State = "mixed" }, new() { State = "mixed" },
        ];

        Assert.Equal("slow", SweepCommand.MajorityState(points, "fast"));
        Assert.Equal("fast", SweepCommand.MajorityState(points[..2], "fast"));
        Assert.Equal("slow", SweepCommand.MajorityState(points[..2], "slow"));
        Assert.Equal("fast", SweepCommand.MajorityState([], "unknown"));
    }

    [Fact]
    public void Table_OffStatePoint_IsMarkedAndLeftOutOfTheAdvice()
    {
        var inState = Point("poll", 1000, p99: 9_000, cpu: 100);
        inState.State = "fast";
        var off = Point("event", 1000, p99: 5_000, cpu: 3);
        off.State = "slow";
        off.OffState = true;
        off.Tries = 3;
        var report = new SweepReport { Size = 64, Seconds = 1, MajorityState = "fast", Points = [inState, off] };
        report.Advice = SweepAdvice.From(report.Points.Where(p => !p.OffState).ToList(), [10_000]);

        string table = SweepCommand.Table(report);

        Assert.Contains("slow*", table);
        Assert.Contains("* off-state: 1 point(s)", table);
        Assert.Equal("p99 <= 10 us at 1 kpps: poll, 100 % of a core", Assert.Single(report.AdviceLines));
        Assert.StartsWith("advisor (fast state: from the 1 usable fast-state points", report.AdvisorHeader);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _runner.Dispose();
        Directory.Delete(_out, recursive: true);
    }

    private static SweepPoint Point(string mode, double rate, long p99, double cpu) => new()
    {
        Mode = mode,
        RatePps = rate,
        Mpps = rate == 0 ? 10 : rate / 1e6,
        P50Ns = p99 / 2,
        P99Ns = p99,
        ConsumerCpu = cpu,
        Clean = true,
    };

    /// <summary>A probe that returns <paramref name="spins"/> in turn, then the last one again.</summary>
    private static SpeedProbe ScriptedProbe(TextWriter progress, params double[] spins)
    {
        int next = 0;
        return SpeedProbe.Of(() => spins[Math.Min(next++, spins.Length - 1)], progress);
    }

    private static string LastLine(ProgramRunner.Result result) =>
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";

    [GeneratedRegex(@"^p99 <= [0-9.]+ (ns|us|ms|s) at [0-9.]+ (pps|kpps|Mpps): ((poll|event|hybrid), [0-9]+ % of a core|none)$")]
    private static partial Regex AdviceLine();

    [GeneratedRegex(@"^(poll|event) @ ([0-9.]+ (pps|kpps|Mpps)|saturation): p99 [0-9.]+ (ns|us|ms|s) is [0-9.]+x p50 [0-9.]+ (ns|us|ms|s): "
        + @"p99 at this point is the box, not the transport: the consumer was preempted [0-9]+ times?( \(the producer [0-9]+ times?\))?$")]
    private static partial Regex PreemptionNote();
}
