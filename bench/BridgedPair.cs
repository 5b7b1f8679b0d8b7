using System.Diagnostics;
using Ring;
using Ring.Harness.Hosting;
using Ring.Harness.Net;

namespace Bench;

/// <summary>
/// The real pair behind a TAP: the Consumer running a guest application on a region of its own, and the Producer
/// started inside the TAP's namespace (<c>ip netns exec</c>, so the TAP it opens is that namespace's) with
/// <c>--uplink tap:NAME</c>, both in one wait mode. Stopping sends the Producer SIGTERM: it ends its stream, the
/// Consumer ends its own in turn, and both print their summaries. Disposing kills whatever still runs and deletes
/// what a killed Consumer leaves of its region (socket and lock file), so nothing outlives the run.
/// </summary>
internal sealed class BridgedPair : IDisposable
{
    private readonly NetworkNamespace _ns;
    private readonly string _tap;
    private readonly string _region;
    private readonly ChildProcess _consumer;
    private readonly ChildProcess _producer;

    private BridgedPair(NetworkNamespace ns, string tap, string region, ChildProcess consumer, ChildProcess producer)
    {
        _ns = ns;
        _tap = tap;
        _region = region;
        _consumer = consumer;
        _producer = producer;
    }

    /// <summary>Starts the pair: the Consumer with <paramref name="guestArgs"/> (the application and its options), the
    /// Producer bridging <paramref name="tap"/> in <paramref name="ns"/>, both waiting as <paramref name="mode"/> says.</summary>
    public static BridgedPair Start(NetworkNamespace ns, string tap, WaitMode mode, double? pollMicros, IEnumerable<string> guestArgs)
    {
        string region = $"ping-demo-{Environment.ProcessId}";
        var modeArgs = ProgramPair.ModeArgs(mode, pollMicros).ToArray();
        var consumer = ChildProcess.Start("Consumer", null, [
            "--region", region, "--stall-timeout", "60", "--json",
            .. modeArgs, .. guestArgs]);
        try
        {
            var producer = ChildProcess.StartThrough(ns.ExecArguments().Prepend("ip").ToArray(), "Producer",
                ["--region", region, "--uplink", $"tap:{tap}", "--wait", "10", "--json", .. modeArgs]);
            return new BridgedPair(ns, tap, region, consumer, producer);
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the handshake is done and the TAP is up (the Producer holds it open and the kernel
    /// has started its queue), so a frame the kernel sends now waits in the TAP for the bridge. Throws <see cref="RunFailedException"/> with what the
    /// programs printed when one exits first or <paramref name="timeout"/> passes.</summary>
    public void WaitUntilBridging(TimeSpan timeout, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        while (!(Running() && _ns.IsUp(_tap)))
        {
            cancel.ThrowIfCancellationRequested();
            if (!_consumer.Running || !_producer.Running || clock.Elapsed > timeout)
            {
                Kill();
                string why = clock.Elapsed > timeout ? $"not bridging after {timeout.TotalSeconds:0} s" : "a program exited before bridging";
                throw new RunFailedException($"ping-demo: {why}\n{_consumer.Describe()}\n{_producer.Describe()}");
            }
            Thread.Sleep(10);
        }
    }

    /// <summary>Stops the Producer, waits for both to end within <paramref name="timeout"/> and returns their summaries.</summary>
    public (RunSummary Guest, RunSummary Device) Stop(TimeSpan timeout)
    {
        _producer.Terminate();
        var deadline = DateTime.UtcNow + timeout;
        if (!(_producer.WaitUntil(deadline) & _consumer.WaitUntil(deadline)))
        {
            Kill();
            throw new RunFailedException($"ping-demo: the pair did not stop within {timeout.TotalSeconds:0} s of SIGTERM\n"
                + $"{_consumer.Describe()}\n{_producer.Describe()}");
        }
        return (ProgramPair.SummaryOf(_consumer), ProgramPair.SummaryOf(_producer));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _producer.Dispose();
        _consumer.Dispose();
        ProgramPair.RemoveKilledRegion(_region);
    }

    private void Kill()
    {
        _producer.Kill();
        _consumer.Kill();
    }

    private bool Running()
    {
        try
        {
            using var observer = RegionObserver.Open(_region);
            return observer.Snapshot().State == RegionState.Running;
        }
        catch (RingException)
        {
            return false; // not created yet
        }
    }

}
