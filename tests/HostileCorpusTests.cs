using System.Diagnostics;
using Ring.Harness.Hosting;
using Ring.Layout;
using Ring.Memory;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The hostile-input corpus (<c>tests/Corpus/hostile.tsv</c>, <see cref="HostileCorpus"/>), one case per row, each run
/// against the real Producer or Consumer under a deadline. Against the Producer the test is the guest: it serves a
/// foreign file or memory, or a region whose header it corrupts before the Producer attaches, or posts garbage on the
/// fill ring, or accepts features never offered, or writes the TX ring and the header while the Producer runs. Against the Consumer the test is the device:
/// it attaches over the control socket and writes the RX completion ring, the control words and the header. Every row
/// ends as it says, with one line on stderr and the exit code it names, or with the drops it names counted by reason;
/// never a crash, a hang, a stack trace, an unexpected exception, or a packet reported that was not received.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class HostileCorpusTests : IDisposable
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(30);

    /// <summary>The region the test serves the Producer: small, so a copy of every byte is cheap.</summary>
    private static readonly RegionGeometry ProducerGeometry = RegionGeometry.ForQueues(1, 16, 256);

    /// <summary>The region the Consumer makes with <see cref="ConsumerArguments"/> (four ring's worth of RX buffers).</summary>
    private static readonly RegionGeometry ConsumerGeometry = RegionGeometry.ForQueues(1, 16, 128, 64);

    // No stall line: a row that hangs is caught by the deadline, and a stall line would not be the one line a row expects.
    private static readonly string[] ProducerArguments = ["--wait", "30", "--stall-timeout", "60", "--json"];
    private static readonly string[] ConsumerArguments =
        ["--ring-size", "16", "--buffer-size", "128", "--attach-timeout", "30", "--stall-timeout", "60", "--json"];

    private readonly ProgramRunner _runner = new();

    public static TheoryData<string> Ids => new(HostileCorpus.Rows.Select(r => r.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Victim_HostileRow_EndsAsTheRowSays(string id)
    {
        var row = HostileCorpus.Row(id);

        var (result, honest, readable) = row.Victim switch
        {
            "Producer" => AttackProducer(row),
            "Consumer" => AttackConsumer(row),
            _ => throw new FormatException($"row {id}: unknown victim '{row.Victim}'"),
        };

        AssertOutcome(row, result, honest, readable);
    }

    [Fact]
    public void Corpus_FortyRowsOrMore_EachParsedWithAnOutcomeTheTestAsserts()
    {
        var rows = HostileCorpus.Load(HostileCorpus.FilePath);

        Assert.True(rows.Count >= 40, $"the corpus has {rows.Count} rows, fewer than 40");
        Assert.Equal(rows.Count, rows.Select(r => r.Id).Distinct().Count());
        Assert.Equal(rows.Select(r => r.Id), ((IEnumerable<object[]>)Ids).Select(d => (string)d[0])); // every row is a case of the theory
        foreach (var row in rows)
        {
            Assert.True(row.Victim is "Producer" or "Consumer", $"{row}: unknown victim");
            Assert.True(row.Expect.Kind is "ok" or "exit" or "drop", $"{row}: an outcome AssertOutcome does not check");
            Assert.True(row.Why.Length > 0, $"{row}: no why");
            Assert.True(Targets(row.Victim).Contains(row.Target), $"{row}: target {row.Target} is not one of {string.Join(", ", Targets(row.Victim))}");
            ParseWrites(row); // every row's writes parse before any row runs
        }
    }

    public void Dispose() => _runner.Dispose();

    /// <summary>Parses what <paramref name="row"/> writes as its target reads it; throws naming what does not parse.</summary>
    private static void ParseWrites(HostileRow row)
    {
        switch (row.Target)
        {
            case "rx" or "tx":
                RingScript.Compile(row.Writes);
                break;
            case "header":
                Assert.All(row.Writes, w => HeaderWrite(w));
                break;
            case "fill":
                FillEntries(ProducerGeometry, row.Writes);
                break;
            case "handshake":
                Accepted(row);
                break;
            case "memfd" when row.Writes is [var w] && w.StartsWith("short=", StringComparison.Ordinal):
                NamedWords.ParseValue(w[6..]);
                break;
            default:
                Contents(row);
                break;
        }
    }

    private static string[] Targets(string victim) => victim == "Producer" ? ["file", "memfd", "header", "handshake", "fill", "tx"] : ["rx"];

    /// <summary>The checks every row gets, then the row's own: its exit code and one line, or its drops, and the
    /// packets received, which must be exactly the honest packets the victim could read.</summary>
    private static void AssertOutcome(HostileRow row, ProgramRunner.Result result, int honest, int readable)
    {
        ProgramAssert.NoStackTrace(result);
        Assert.False(result.Stderr.Contains("unexpected", StringComparison.Ordinal), $"{row}: an unexpected exception\n{result}");
        var expect = row.Expect;
        switch (expect.Kind)
        {
            case "ok":
                Assert.True(result.ExitCode == ExitCodes.Ok && result.Stderr.Length == 0, $"{row}: expected a clean exit\n{result}");
                break;
            case "exit":
                ProgramAssert.FailedWithOneLine(result, row.Victim, expect.ExitCode, expect.Phrase);
                break;
            case "drop":
                ProgramAssert.FailedWithOneLine(result, row.Victim, ExitCodes.VerificationFailed,
                    $"verification failed: 0 bad, 0 duplicates, 0 missing, 0 corrupt, {expect.Drops.Values.Sum()} dropped of {readable} received");
                Assert.Equal(expect.Drops.OrderBy(d => d.Key), result.Summary().Drops.OrderBy(d => d.Key));
                break;
            default:
                Assert.Fail($"{row}: no check for outcome '{expect.Kind}'");
                break;
        }
        if (result.Stdout.TrimEnd().EndsWith('}'))
        {
            ulong received = result.Summary().Received;
            Assert.True(received <= (ulong)honest, $"{row}: {received} packets reported, {honest} honest ones written\n{result}");
            if (expect.Kind != "exit")
                Assert.True(received == (ulong)readable, $"{row}: {received} packets received, {readable} could be read\n{result}");
        }
    }

    // ---- The Producer: the test is its guest ----

    private (ProgramRunner.Result, int, int) AttackProducer(HostileRow row) => row.Target switch
    {
        "file" => ForeignFile(row),
        "memfd" when row.Writes is [var w] && w.StartsWith("short=", StringComparison.Ordinal) => ShortRegion(row, (long)NamedWords.ParseValue(w[6..])),
        "memfd" => ForeignMemory(row),
        _ => GuestOfTheProducer(row),
    };

    /// <summary>A regular file at the region's path, where the guest's socket should be.</summary>
    private (ProgramRunner.Result, int, int) ForeignFile(HostileRow row)
    {
        byte[] bytes = Contents(row);
        File.WriteAllBytes(_runner.RegionFile, bytes);

        var result = RunProducer(row);

        Assert.Equal(bytes, File.ReadAllBytes(_runner.RegionFile)); // a foreign file is never written to
        return (result, 0, 0);
    }

    /// <summary>Memory that holds no Ring header, handed out at the region's socket.</summary>
    private (ProgramRunner.Result, int, int) ForeignMemory(HostileRow row)
    {
        byte[] bytes = Contents(row);
        using var guest = ForeignGuest.Serve(_runner.Region, bytes);

        var result = RunProducer(row);

        AssertUnchanged(bytes, guest.Bytes, result);
        return (result, 0, 0);
    }

    /// <summary>An honest header in memory <paramref name="missing"/> bytes shorter than the header says.</summary>
    private unsafe (ProgramRunner.Result, int, int) ShortRegion(HostileRow row, long missing)
    {
        using var guest = HostilePeer.CreateAsGuest(_runner.Region, ProducerGeometry, ProducerGeometry.RegionLength - missing);
        var region = new Span<byte>(guest.Region.Base, checked((int)guest.Region.Length));
        byte[] before = region.ToArray();

        var result = RunProducer(row);

        AssertUnchanged(before, region, result);
        return (result, 0, 0);
    }

    /// <summary>
    /// A region the test serves as its guest: its header corrupted before the Producer attaches (<c>header</c>) or its
    /// fill ring posted with the row's entries (<c>fill</c>); then, unless the row expects the Producer to refuse it at
    /// attach, the guest's handshake (accepting what a <c>handshake</c> row says), and the TX ring and header written
    /// while the Producer runs (<c>tx</c>), or just the end of the guest's stream.
    /// </summary>
    private unsafe (ProgramRunner.Result, int, int) GuestOfTheProducer(HostileRow row)
    {
        using var guest = HostilePeer.CreateAsGuest(_runner.Region, ProducerGeometry);
        var region = new Span<byte>(guest.Region.Base, checked((int)guest.Region.Length));
        if (row.Target == "header")
            foreach (string write in row.Writes)
                HeaderWrite(write).ApplyTo(guest.Region.Base);
        // The fill ring is the guest's to write before DRIVER_OK: the producer rents the row's entries, one packet for
        // each honest one. Otherwise it sends nothing (direction tx), so an honest guest ends the run by ending its stream.
        string[] direction = ["--direction", "tx"];
        if (row.Target == "fill")
        {
            var (entries, honest) = FillEntries(ProducerGeometry, row.Writes);
            guest.Queue().Fill.PostBuffers([.. entries]);
            direction = ["--direction", "rx", "--packets", honest.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        }
        byte[] before = region.ToArray();
        var producer = _runner.Start("Producer", [.. ProducerArguments, .. direction, .. row.Args, "--region", _runner.Region]);
        if (row.Target == "header" && row.Expect.Kind != "ok")
        {
            // Refused at attach: before any handshake, and without a byte written.
            var refused = _runner.WaitAll(RunDeadline, producer)[0];
            AssertUnchanged(before, region, refused);
            return (refused, 0, 0);
        }

        var accepted = row.Target == "handshake" ? Accepted(row) : null;
        Deadline.Join(Deadline.Run(() => guest.FinishGuestHandshake(postFill: row.Target != "fill", accepted: accepted)),
            "the guest's handshake with the producer");
        before = region.ToArray();
        var script = new RingScript(guest, asDevice: false, () => producer.HasExited);
        if (row.Target == "tx")
        {
            // The producer's loop has begun once it ended its own (empty) RX stream: its copy of the header is taken.
            _runner.WaitUntil(() => guest.Queue().Word64(QueueControlLayout.RxEndOfStreamOffset) != 0, "the producer ran", RunDeadline, producer);
            script.Run(row.Writes);
        }
        else if (row.Expect.Kind == "ok" && row.Target != "fill")
        {
            script.Run(["eos"]);
        }
        var result = _runner.WaitAll(RunDeadline, producer)[0];
        if (row.Target == "handshake" && row.Expect.Kind != "ok")
            AssertUnchanged(before.AsSpan(RegionLayout.HeaderLength), region[RegionLayout.HeaderLength..], result); // nothing past the header
        return (result, script.Honest, script.Readable);
    }

    /// <summary>
    /// A <c>fill</c> row's entries for the fill ring, and how many are honest: <c>good</c> and <c>good*N</c> post the
    /// guest's next RX buffers; <c>offset=V</c> posts V, a number, <c>+N</c> (past the next honest buffer),
    /// <c>pool_end</c> or <c>again</c> (the entry before, posted twice).
    /// </summary>
    private static (List<ulong> Entries, int Honest) FillEntries(RegionGeometry geometry, IEnumerable<string> tokens)
    {
        var entries = new List<ulong>();
        int honest = 0;
        ulong Next() => geometry.RxFirst(0) + (ulong)honest * (ulong)geometry.BufferStride;
        foreach (string token in tokens)
        {
            string[] kv = token.Split('=');
            int repeat = token == "good" ? 1 : token.StartsWith("good*", StringComparison.Ordinal) ? (int)NamedWords.ParseValue(token[5..]) : 0;
            for (int i = 0; i < repeat; i++, honest++)
                entries.Add(Next());
            if (repeat != 0)
                continue;
            entries.Add(kv switch
            {
                ["offset", "pool_end"] => (ulong)geometry.PoolLength,
                ["offset", "again"] when entries.Count > 0 => entries[^1],
                ["offset", ['+', .. var delta]] => Next() + NamedWords.ParseValue(delta),
                ["offset", var value] => NamedWords.ParseValue(value),
                _ => throw new FormatException($"unknown fill token '{token}'"),
            });
        }
        return (entries, honest);
    }

    /// <summary>The features a <c>handshake</c> row's guest accepts: <c>accept=V</c>.</summary>
    private static Features? Accepted(HostileRow row) => row.Writes is [var accept] && accept.StartsWith("accept=", StringComparison.Ordinal)
        ? (Features)NamedWords.ParseValue(accept[7..]) : throw new FormatException($"{row}: expected accept=V");

    /// <summary>A <c>header</c> row's token, <c>header.F op V</c>.</summary>
    private static NamedWords.Write HeaderWrite(string token) => token.StartsWith("header.", StringComparison.Ordinal)
        ? NamedWords.Header.Parse(token["header.".Length..]) : throw new FormatException($"'{token}' is not header.F op V");

    private ProgramRunner.Result RunProducer(HostileRow row) =>
        _runner.WaitAll(RunDeadline, _runner.Start("Producer", [.. ProducerArguments, .. row.Args, "--region", _runner.Region]))[0];

    /// <summary>The bytes a <c>file</c> or <c>memfd</c> row names: <c>zeros=N</c> or <c>random=N</c> (a fixed seed).</summary>
    private static byte[] Contents(HostileRow row)
    {
        string[] kv = row.Writes is [var write] ? write.Split('=') : [];
        Assert.True(kv is ["zeros" or "random", _], $"{row}: expected zeros=N or random=N");
        var bytes = new byte[(int)NamedWords.ParseValue(kv[1])];
        if (kv[0] == "random")
            new Random(20240611).NextBytes(bytes);
        return bytes;
    }

    private static void AssertUnchanged(ReadOnlySpan<byte> before, ReadOnlySpan<byte> now, ProgramRunner.Result result)
    {
        int same = now.CommonPrefixLength(before);
        Assert.True(same == before.Length, $"the producer wrote into memory it should not have, first at byte {same}\n{result}");
    }

    // ---- The Consumer: the test is its device ----

    /// <summary>The real Consumer creates the region; the test attaches as its device, waits until its loop runs, and
    /// plays the row on the RX completion ring.</summary>
    private (ProgramRunner.Result, int, int) AttackConsumer(HostileRow row)
    {
        var consumer = _runner.Start("Consumer", [.. ConsumerArguments, .. row.Args, "--region", _runner.Region]);
        _runner.WaitForRegion(consumer, RunDeadline);
        using var device = HostilePeer.ActAsDevice(_runner.RegionFile, ConsumerGeometry);
        // The consumer's loop has begun once it ended its own (empty) TX stream: its copy of the header is taken.
        _runner.WaitUntil(() => device.Queue().Word64(QueueControlLayout.TxEndOfStreamOffset) != 0, "the consumer ran", RunDeadline, consumer);

        var script = new RingScript(device, asDevice: true, () => consumer.HasExited);
        script.Run(row.Writes);

        return (_runner.WaitAll(RunDeadline, consumer)[0], script.Honest, script.Readable);
    }
}
