using Ring.Harness.Hosting;

namespace Ring.Tests;

/// <summary>
/// The harness's view of its own threads: context switches read from /proc (what <c>pair</c>, <c>rtt</c> and
/// <c>sweep</c> report as preemption), and pinning one thread to one core (the programs' <c>--cpu</c>).
/// </summary>
public sealed class ThreadPlacementTests
{
    [Fact]
    public void Parse_StatusText_ReadsBothCounts()
    {
        byte[] status = "Name:\tConsumer\nState:\tR (running)\nvoluntary_ctxt_switches:\t17\nnonvoluntary_ctxt_switches:\t4021\n"u8.ToArray();

        Assert.Equal(new ContextSwitches(Voluntary: 17, Involuntary: 4021), ContextSwitches.Parse(status));
    }

    [Fact]
    public void Parse_StatusWithoutTheLines_Throws()
    {
        byte[] status = "Name:\tConsumer\nState:\tR (running)\n"u8.ToArray();

        Assert.Throws<RunFailedException>(() => ContextSwitches.Parse(status));
    }

    [Fact]
    public void OfThisThread_AfterSleeps_CountsThemAsVoluntary()
    {
        ContextSwitches start = default, end = default;
        var thread = new Thread(() =>
        {
            start = ContextSwitches.OfThisThread();
            for (int i = 0; i < 5; i++)
                Thread.Sleep(2);
            end = ContextSwitches.OfThisThread();
        });
        thread.Start();
        thread.Join();

        var during = end - start;
        Assert.True(during.Voluntary >= 5, $"5 sleeps, {during.Voluntary} voluntary switches");
        Assert.True(during.Involuntary >= 0, $"{during.Involuntary} involuntary switches");
    }

    [Fact]
    public void PinThisThread_AllowedCore_LeavesThatCoreOnly()
    {
        int core = ThreadAffinity.Allowed()[^1];
        IReadOnlyList<int>? seen = null;
        var thread = new Thread(() =>
        {
            ThreadAffinity.PinThisThread(core);
            seen = ThreadAffinity.Allowed();
        });
        thread.Start();
        thread.Join();

        Assert.Equal([core], seen);
    }

    [Fact]
    public void ParseCores_CoreThisProcessMayNotUse_IsAUsageError()
    {
        var e = Assert.Throws<ArgumentException>(() => ThreadAffinity.ParseCores("1023"));

        Assert.StartsWith("--cpu takes cores this process may run on", e.Message);
    }
}
