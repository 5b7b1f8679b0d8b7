using Bench;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <c>bench refs</c>: a lone clone (no reference programs beside it) still measures Ring beside its own C baselines
/// in rounds and prints ratios; the ranges and the speed-state rule are checked on made-up rounds. Every program
/// start has a deadline (the runs' own timeouts); no speed is asserted.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class RefsCommandTests
{
    [Fact]
    public void Execute_LoneCloneTwoTinyRounds_RunsTheBaselinesBesideRingAndPrintsRatios()
    {
        var progress = new StringWriter();
        string nowhere = Path.Combine(Path.GetTempPath(), $"no-shared-{Guid.NewGuid():N}", "reference");
        var options = new RefsOptions { Rounds = 2, Seconds = 0.3, RttCount = 300, Cpus = "", References = nowhere };

        var report = RefsCommand.Execute(options, progress);

        Assert.True(report.Skipped is null, report.Skipped);
        Assert.Equal([1, 2], report.Rounds.Select(r => r.Number));
        foreach (var round in report.Rounds)
        {
            Assert.Subset(round.Figures.Keys.ToHashSet(), new HashSet<string>
            {
                "cring_rx_mpps", "ring_rx_mpps", "cring_tx_mpps", "ring_tx_mpps", "floors_spin_before_ns", "floors_spin_after_ns",
                "floors_spin_ns", "floors_futex_ns", "ring_rtt_poll_p50_ns", "ring_rtt_event_p50_ns", "ring_rtt_event_idle_p50_ns",
            });
            Assert.DoesNotContain(round.Figures.Keys, k => k.StartsWith("lean", StringComparison.Ordinal) || k.StartsWith("floor_", StringComparison.Ordinal));
            Assert.Subset(round.Ratios.Keys.ToHashSet(), new HashSet<string>
            {
                "ring_rx/cring_rx", "ring_tx/cring_tx", "rtt_poll/floors_spin", "rtt_event/floors_futex", "rtt_event_idle/floors_futex",
            });
            Assert.All(round.Ratios.Values, v => Assert.True(v > 0));
            Assert.Contains(round.State, new[] { "fast", "slow", "mixed" });
        }
        Assert.True(report.Summaries.Count > 0 || report.Warnings.Any(w => w.Contains("changed speed state")), report.Text);
        Assert.All(report.Summaries, s => Assert.Contains(s.Ratios, r => r.Name == "ring_rx/cring_rx" && r.Min <= r.Median && r.Median <= r.Max));

        Assert.Contains("references: not run: no lean.c and floor.c at " + nowhere, report.Text);
        Assert.Contains("ring_rx/cring_rx", report.Text);
        var parsed = RefsReport.FromJson(report.ToJson());
        Assert.NotNull(parsed);
        Assert.Equal(report.Rounds[0].Ratios["ring_rx/cring_rx"], parsed.Rounds[0].Ratios["ring_rx/cring_rx"]);

        // Round 2 runs the programs in the reverse order of round 1, the spin probes still first and last.
        string[] said = progress.ToString().Split('\n');
        int Said(int round, string what) => Array.FindIndex(said, line => line.StartsWith($"refs: round {round}/2: {what}", StringComparison.Ordinal));
        Assert.True(Said(1, "floors spin (state before)") < Said(1, "cring rx") && Said(1, "cring rx") < Said(1, "ring pair tx"), progress.ToString());
        Assert.True(Said(2, "ring pair tx") < Said(2, "cring rx") && Said(2, "cring rx") < Said(2, "floors spin (state after)"), progress.ToString());
    }

    [Fact]
    public void Summary_MixedRoundAndTwoStates_RangesPerStateOverKeptRoundsOnly()
    {
        RefsRound[] rounds =
        [
            Round(1, spinBefore: 110, spinAfter: 120, ring: 40, cring: 50),
            Round(2, spinBefore: 115, spinAfter: 495, ring: 10, cring: 90), // mixed: left out
            Round(3, spinBefore: 105, spinAfter: 112, ring: 45, cring: 50),
            Round(4, spinBefore: 500, spinAfter: 510, ring: 15, cring: 20),
            Round(5, spinBefore: 108, spinAfter: 118, ring: 48, cring: 60),
        ];
        var report = new RefsReport { Rounds = [.. rounds] };

        report.Summarize();

        Assert.Equal(["fast", "slow"], report.Summaries.Select(s => s.State));
        var fast = report.Summaries[0];
        Assert.Equal([1, 3, 5], fast.Rounds);
        var ratio = Assert.Single(fast.Ratios, r => r.Name == "ring_rx/cring_rx");
        Assert.Equal((3, 0.8, 0.8, 0.9), (ratio.Count, ratio.Min, ratio.Median, ratio.Max));
        var ring = Assert.Single(fast.Figures, f => f.Name == "ring_rx_mpps");
        Assert.Equal((40.0, 45.0, 48.0, 1.2), (ring.Min, ring.Median, ring.Max, ring.Spread));
        Assert.Equal([4], report.Summaries[1].Rounds);
        Assert.Contains(report.Warnings, w => w.StartsWith("round(s) 2 changed speed state", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Contains("two speed states"));
        Assert.Contains("mixed*", report.Text);
    }

    [Fact]
    public void Range_EvenCount_MedianIsTheMeanOfTheMiddleTwo()
    {
        var range = RefsRange.Of("x", [4.0, 1.0, 3.0, 2.0]);

        Assert.Equal((4, 1.0, 2.5, 4.0, 4.0), (range.Count, range.Min, range.Median, range.Max, range.Spread));
    }

    [Fact]
    public void Round_Complete_QuotesOnlyTheRatiosItHasBothFiguresFor()
    {
        var round = Round(1, spinBefore: 100, spinAfter: 140, ring: 30, cring: 60);
        round.Figures["ring_rtt_poll_p50_ns"] = 240;

        round.Complete();

        Assert.Equal(120, round.Figures["floors_spin_ns"]);
        Assert.Equal(new Dictionary<string, double> { ["ring_rx/cring_rx"] = 0.5, ["rtt_poll/floors_spin"] = 2 }, round.Ratios);
        Assert.Equal("fast", round.State);
    }

    [Theory]
    [InlineData("both", "both-separately")]
    [InlineData("tx", "tx")]
    public void Block_PairDirection_MeasuresOneRoundOfEachDirectionSeparately(string pairDirection, string refsDirection)
    {
        var options = RefsOptions.Block(64, "0,1", pairDirection);

        options.Validate();
        Assert.Equal((1, refsDirection), (options.Rounds, options.Direction));
    }

    [Theory]
    [InlineData("--direction", "both")]
    [InlineData("--size", "4096")]
    [InlineData("--stride", "2100")]
    [InlineData("--rounds", "0")]
    public void Run_BadOption_ExitsWithUsageBeforeRunningAnything(string option, string value)
    {
        using var runner = new ProgramRunner();

        var result = runner.Run("bench", "refs", option, value);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains(option, result.Stderr);
    }

    private static RefsRound Round(int number, double spinBefore, double spinAfter, double ring, double cring)
    {
        var round = new RefsRound
        {
            Number = number,
            Figures = { ["floors_spin_before_ns"] = spinBefore, ["floors_spin_after_ns"] = spinAfter, ["ring_rx_mpps"] = ring, ["cring_rx_mpps"] = cring },
        };
        round.Complete();
        return round;
    }
}
