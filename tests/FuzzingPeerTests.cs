using System.Globalization;
using CsCheck;
using Ring.Harness.Hosting;
using Ring.Tests.Fuzz;
using Ring.Tests.Support;
using Xunit.Abstractions;

namespace Ring.Tests;

/// <summary>
/// A fuzzing peer against the real programs: this process attaches as the device of a real Consumer, or creates the
/// region as the guest of a real Producer, and follows a CsCheck schedule that interleaves honest packets with hostile
/// writes into the live header, control words, counters and rings (<see cref="FuzzAttack"/>). Whatever it writes, the
/// victim must exit within a deadline once the peer is gone, with a documented code for what it met (0, 3, 5, 6 or 7:
/// never 1, never a signal), print no stack trace and at most one line on standard error, and report no more packets
/// received than the peer published or forged. The two tests share RING_FUZZ_SECONDS (default 20). A failure prints
/// CsCheck's seed and the shrunk schedule; <c>CsCheck_Seed=&lt;seed&gt;</c> reruns that schedule first.
/// </summary>
public sealed class FuzzingPeerTests(ITestOutputHelper output)
{
    /// <summary>How long the victim may take to exit once the peer has gone (it is told by its socket's hang-up).</summary>
    private static readonly TimeSpan VictimDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public void Fuzz_DeviceAgainstConsumer_ConsumerExitsCleanlyAndReportsNoPacketItDidNotGet() =>
        Sample(schedule =>
        {
            var (result, most) = AttackConsumer(schedule);
            return AssertSurvived(result, "Consumer", most);
        });

    [Fact]
    public void Fuzz_GuestAgainstProducer_ProducerExitsCleanlyAndReportsNoPacketItDidNotGet() =>
        Sample(schedule =>
        {
            var (result, most) = AttackProducer(schedule);
            return AssertSurvived(result, "Producer", most);
        });

    /// <summary>An honest schedule in both directions: two queue pairs, 64-entry rings, sends only, then the end of the
    /// stream and a drain.</summary>
    private static readonly FuzzSchedule Honest = new(new FuzzSettings(2, 6, 2048, "event", BothDirections: true, Chains: false,
        FullVerify: true, PacketSize: 100, VictimPackets: 500), [.. Enumerable.Range(0, 40).Select(i => new SendOp(i % 2, 32))],
        FuzzEnding.EndStreamAndDrain);

    [Theory]
    [InlineData("Consumer")]
    [InlineData("Producer")]
    public void FuzzingPeer_HonestSchedule_TheProgramReceivesEveryPacketAndExitsOk(string program)
    {
        var (result, published) = program == "Consumer" ? AttackConsumer(Honest) : AttackProducer(Honest);

        Assert.True(result.ExitCode == ExitCodes.Ok, $"the {program} failed against an honest schedule\n{result}");
        Assert.Equal((ulong)published, result.Summary().Received);
        Assert.Equal(500UL, result.Summary().Sent); // --packets counts over all queues
    }

    /// <summary>Runs a real Consumer with <paramref name="schedule"/>'s settings, attacks it as its device, and returns
    /// how it ended and the most packets it may say it received.</summary>
    private static (ProgramRunner.Result Result, long Most) AttackConsumer(FuzzSchedule schedule)
    {
        using var runner = new ProgramRunner();
        var victim = runner.Start("Consumer", [.. VictimArguments(schedule.Settings, runner.Region, "--attach-timeout"),
            "--queues", Number(schedule.Settings.Queues), "--ring-size", Number(schedule.Settings.RingSize),
            "--buffer-size", Number(schedule.Settings.BufferSize)]);
        long most = 0;
        using (var attack = DeviceAttack.Attach(runner.RegionFile, schedule.Settings, victim))
        {
            attack?.Run(schedule, () => victim.HasExited);
            most = attack?.MostTheVictimCanReceive ?? 0;
        }
        return (runner.WaitAll(VictimDeadline, victim)[0], most);
    }

    /// <summary>Creates a region with <paramref name="schedule"/>'s settings, runs a real Producer on it, attacks it as
    /// its guest, and returns how it ended and the most packets it may say it received.</summary>
    private static (ProgramRunner.Result Result, long Most) AttackProducer(FuzzSchedule schedule)
    {
        using var runner = new ProgramRunner();
        var peer = HostilePeer.CreateAsGuest(runner.Region, GuestAttack.GeometryFor(schedule.Settings));
        var victim = runner.Start("Producer", VictimArguments(schedule.Settings, runner.Region, "--wait"));
        long most;
        using (var attack = GuestAttack.Start(peer, schedule.Settings))
        {
            attack.Run(schedule, () => victim.HasExited);
            most = attack.MostTheVictimCanReceive;
        }
        return (runner.WaitAll(VictimDeadline, victim)[0], most);
    }

    [Fact]
    public void Consumer_DeviceDiesLeavingEveryCounterNearOverflow_ExitsPeerLostWithItsSummary()
    {
        // Found by the fuzzing peer: the consumer's summary summed counters read from the region (its own, and the dead
        // device's) with checked arithmetic, so a device that wrote them made it fail with an OverflowException.
        using var runner = new ProgramRunner();
        var victim = runner.Start("Consumer", "--region", runner.Region, "--attach-timeout", "30", "--queues", "2", "--json");
        using (var device = HostilePeer.ActAsDevice(runner.RegionFile))
        {
            Deadline.Until(() => (device.Header.Status & Layout.DeviceStatus.DriverOk) != 0 || victim.HasExited, "the consumer set DRIVER_OK");
            for (int q = 0; q < 2; q++)
                device.Queue(q).FillCounters((ulong)long.MaxValue);
        }

        var result = runner.WaitAll(VictimDeadline, victim)[0];

        ProgramAssert.FailedWithOneLine(result, "Consumer", ExitCodes.PeerLost, "died");
        Assert.Equal(0UL, result.Summary().Received);
    }

    /// <summary>Runs <paramref name="attack"/> on schedules for half of RING_FUZZ_SECONDS, one at a time (each starts a
    /// program), and reports how many ran, how the victims exited and how many packets they received in all, so a run
    /// shows that the attacks reached past the handshake.</summary>
    private void Sample(Func<FuzzSchedule, ProgramRunner.Result> attack)
    {
        var exits = new SortedDictionary<int, int>();
        ulong received = 0;
        FuzzGen.Schedule.Sample(schedule =>
        {
            var result = attack(schedule);
            int code = result.ExitCode ?? -1;
            exits[code] = exits.GetValueOrDefault(code) + 1;
            received += Summary(result)?.Received ?? 0;
        }, writeLine: output.WriteLine, iter: int.MaxValue, time: SecondsPerRole(), threads: 1, print: schedule => schedule.ToString());
        output.WriteLine($"exit codes: {string.Join(", ", exits.Select(e => $"{e.Key} x {e.Value}"))}; packets received in all: {received}");
    }

    /// <summary>Half of RING_FUZZ_SECONDS (the fuzzing time of both roles together, 20 s unless set), at least 1 s.</summary>
    private static int SecondsPerRole()
    {
        string? set = Environment.GetEnvironmentVariable("RING_FUZZ_SECONDS");
        int total = set is null ? 20 : int.Parse(set, CultureInfo.InvariantCulture);
        return Math.Max(1, total / 2);
    }

    /// <summary>The options both victims take: the region, how long to wait for the peer, the traffic, and a stall
    /// timeout longer than any run, so a starved victim waits without a line on standard error.</summary>
    private static string[] VictimArguments(FuzzSettings s, string region, string waitOption) =>
    [
        "--region", region, waitOption, "30", "--json", "--mode", s.Mode, "--direction", s.BothDirections ? "both" : "rx",
        "--verify", s.FullVerify ? "full" : "seq", "--size", Number(s.PacketSize), "--packets", Number(s.VictimPackets),
        "--stall-timeout", "120",
    ];

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>The victim exited with a code for what it met, printed no stack trace and at most one line on standard
    /// error, and its summary, when it printed one, counts no more packets received than <paramref name="most"/>.</summary>
    private static ProgramRunner.Result AssertSurvived(ProgramRunner.Result result, string program, long most)
    {
        Assert.True(result.ExitCode is ExitCodes.Ok or ExitCodes.VerificationFailed or ExitCodes.RegionUnusable
            or ExitCodes.PeerLost or ExitCodes.ProtocolViolation, $"{program} exited {result.ExitCode}\n{result}");
        ProgramAssert.NoStackTrace(result);
        int lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.True(lines <= 1, $"{program} printed {lines} lines on standard error\n{result}");
        if (Summary(result) is { } summary)
            Assert.True(summary.Received <= (ulong)most, $"{program} reports {summary.Received} packets received, but the peer published or forged {most}\n{result}");
        return result;
    }

    /// <summary>The JSON summary the program printed last, or null when it printed none (a failure before the run).</summary>
    private static RunSummary? Summary(ProgramRunner.Result result)
    {
        string? last = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        return last is not null && last.StartsWith('{') ? result.Summary() : null;
    }
}
