using System.Collections.Concurrent;
using System.Diagnostics;
using Ring.Harness.Hosting;
using static Bench.ProgramPair;

namespace Bench;

/// <summary>
/// The Consumer run with <c>--reconnect</c> for a sequence of producers (<c>kills</c>, <c>soak</c>): its standard
/// error is read line by line as it arrives, each line stamped with <see cref="Stopwatch.GetTimestamp"/>, so the
/// moment it says its producer was lost, or that a new one attached, can be set against the moment that producer was
/// killed.
/// </summary>
internal sealed class ReconnectingConsumer : IDisposable
{
    /// <summary>How long the consumer may take to say its producer was lost before that counts as never.</summary>
    public static readonly TimeSpan LossDeadline = TimeSpan.FromSeconds(5);

    /// <summary>How long a new producer may take to start and attach.</summary>
    public static readonly TimeSpan AttachDeadline = TimeSpan.FromSeconds(15);

    /// <summary>How long the first producer gets to start and attach: the consumer says nothing when its first one does.</summary>
    private static readonly TimeSpan FirstAttach = TimeSpan.FromSeconds(1.5);

    /// <summary>Entries per ring of a consumer started with the default <c>--ring-size</c>: the most a lost producer
    /// can leave in flight.</summary>
    public const int RingEntries = 1024;

    private readonly ChildProcess _child;
    private readonly BlockingCollection<StampedLine> _lost = [];
    private readonly BlockingCollection<StampedLine> _attached = [];

    private ReconnectingConsumer(string? cpu, IEnumerable<string> args) =>
        _child = ChildProcess.Start("Consumer", cpu, args, OnErrorLine);

    /// <summary>Starts the Consumer on <paramref name="region"/> with <c>--reconnect --json</c>, waiting how it is told
    /// (<paramref name="mode"/>), up to <see cref="AttachDeadline"/> for each producer, pinned to <paramref name="cpu"/>
    /// when given.</summary>
    public static ReconnectingConsumer Start(string region, string mode, string? cpu) =>
        new(cpu, ["--region", region, "--mode", mode, "--reconnect", "--attach-timeout", Invariant(AttachDeadline.TotalSeconds), "--json"]);

    /// <summary>Starts a producer on <paramref name="region"/>, pinned to <paramref name="cpu"/> when given: its mode, its
    /// pace (<paramref name="rate"/>; 0: as fast as it can), and how much it sends (<paramref name="amount"/>).</summary>
    public static ChildProcess StartProducer(string region, string? cpu, string mode, double rate, IEnumerable<string> amount) =>
        ChildProcess.Start("Producer", cpu, new[] { "--region", region, "--mode", mode, "--wait", Invariant(AttachDeadline.TotalSeconds), "--json" }
            .Concat(rate > 0 ? ["--rate", Invariant(rate)] : [])
            .Concat(amount));

    /// <summary>Returns once <paramref name="producer"/>, the consumer's <paramref name="session"/>th, is attached: the
    /// consumer said so, or, for the first, it has had time to; throws when it did not within <see cref="AttachDeadline"/>.</summary>
    public void AwaitAttached(int session, ChildProcess producer)
    {
        if (session == 1)
            Thread.Sleep(FirstAttach);
        else if (NextAttach(AttachDeadline) is null)
            throw new RunFailedException($"producer {session} did not attach within {AttachDeadline.TotalSeconds:0} s\n"
                + producer.Describe() + "\n" + Describe());
    }

    /// <summary>Its process id.</summary>
    public int Id => _child.Id;

    /// <summary>Whether it is still running.</summary>
    public bool Running => _child.Running;

    /// <summary>The next "session N: ...; resetting the device" line, when it says its producer was lost; null when
    /// none came within <see cref="LossDeadline"/>.</summary>
    public StampedLine? NextLoss() => _lost.TryTake(out var line, LossDeadline) ? line : null;

    /// <summary>The next "session N: a new producer attached" line; null when none came within <paramref name="within"/>.</summary>
    private StampedLine? NextAttach(TimeSpan within) => _attached.TryTake(out var line, within) ? line : null;

    /// <summary>Its resident memory now (VmRSS in /proc/&lt;pid&gt;/status), in KiB; null once it exited.</summary>
    public long? ResidentKib()
    {
        try
        {
            string? line = File.ReadLines($"/proc/{_child.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Waits for it to end (its last producer ended its stream) until <paramref name="deadline"/> and returns its
    /// summary; throws <see cref="RunFailedException"/>, with all it printed, when it failed or is still running.</summary>
    public RunSummary Finish(DateTime deadline)
    {
        if (!_child.WaitUntil(deadline))
        {
            _child.Kill();
            throw new RunFailedException($"the consumer did not end after its last producer did\n{_child.Describe()}");
        }
        try
        {
            return SummaryOf(_child);
        }
        catch (RunFailedException e)
        {
            throw new RunFailedException($"{e.Message}\n{_child.Describe()}", e.ExitCode);
        }
    }

    /// <summary>Everything it printed so far, for an error message (it is killed first when still running).</summary>
    public string Describe()
    {
        _child.Kill();
        return _child.Describe();
    }

    private void OnErrorLine(string line)
    {
        long now = Stopwatch.GetTimestamp();
        if (!line.StartsWith("consumer: session ", StringComparison.Ordinal))
            return;
        if (line.Contains("resetting the device", StringComparison.Ordinal))
            _lost.Add(new StampedLine(now, line));
        else if (line.Contains("a new producer attached", StringComparison.Ordinal))
            _attached.Add(new StampedLine(now, line));
    }

    /// <inheritdoc />
    public void Dispose() => _child.Dispose(); // the line queues stay: the reader may still hand them a last line

}

/// <summary>A line a program wrote, and when it arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
internal sealed record StampedLine(long Timestamp, string Text);
