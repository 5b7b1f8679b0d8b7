using Ring.Harness.Net;

namespace Ring.Tests;

/// <summary>ping's closing statistics, parsed from outputs captured from iputils 20221126 (and busybox's form).</summary>
public sealed class PingSummaryTests
{
    /// <summary>ping -n -q -c 5 -i 0.01 across a veth pair.</summary>
    private const string AllAnswered = """
        PING 10.78.0.2 (10.78.0.2) 56(84) bytes of data.

        --- 10.78.0.2 ping statistics ---
        5 packets transmitted, 5 received, 0% packet loss, time 56ms
        rtt min/avg/max/mdev = 0.056/0.336/1.455/0.559 ms
        """;

    /// <summary>ping to an address nobody has: no rtt line.</summary>
    private const string NoneAnswered = """
        PING 10.78.0.9 (10.78.0.9) 56(84) bytes of data.

        --- 10.78.0.9 ping statistics ---
        3 packets transmitted, 0 received, 100% packet loss, time 31ms

        """;

    /// <summary>Neighbour resolution failed (errors), with a fractional loss.</summary>
    private const string WithErrors = """
        PING 10.77.0.2 (10.77.0.2) 56(84) bytes of data.
        From 10.77.0.1 icmp_seq=1 Destination Host Unreachable

        --- 10.77.0.2 ping statistics ---
        3 packets transmitted, 1 received, +2 errors, 66.6667% packet loss, time 2046ms
        rtt min/avg/max/mdev = 0.101/0.101/0.101/0.000 ms, pipe 2
        """;

    /// <summary>Duplicates (a broadcast ping, or a looping bridge).</summary>
    private const string WithDuplicates = """
        --- 10.77.0.255 ping statistics ---
        2 packets transmitted, 2 received, +2 duplicates, 0% packet loss, time 1001ms
        rtt min/avg/max/mdev = 0.040/0.060/0.090/0.020 ms
        """;

    /// <summary>busybox ping.</summary>
    private const string Busybox = """
        --- 10.77.0.2 ping statistics ---
        4 packets transmitted, 4 packets received, 0% packet loss
        round-trip min/avg/max = 0.081/0.105/0.140 ms
        """;

    [Fact]
    public void Parse_AllAnswered_ReadsCountsAndRtts() =>
        Assert.Equal(new PingSummary(5, 5, 0, 0, 0, 0.056, 0.336, 1.455, 0.559), PingSummary.Parse(AllAnswered));

    [Fact]
    public void Parse_NoneAnswered_HasNoRtts() =>
        Assert.Equal(new PingSummary(3, 0, 0, 0, 100, null, null, null, null), PingSummary.Parse(NoneAnswered));

    [Fact]
    public void Parse_ErrorsAndFractionalLossAndPipe_ReadsThemAll() =>
        Assert.Equal(new PingSummary(3, 1, 0, 2, 66.6667, 0.101, 0.101, 0.101, 0), PingSummary.Parse(WithErrors));

    [Fact]
    public void Parse_Duplicates_CountsThem() => Assert.Equal(2, PingSummary.Parse(WithDuplicates).Duplicates);

    [Fact]
    public void Parse_BusyboxForm_ReadsRttsWithoutMdev() =>
        Assert.Equal(new PingSummary(4, 4, 0, 0, 0, 0.081, 0.105, 0.140, null), PingSummary.Parse(Busybox));

    [Fact]
    public void Parse_NoStatistics_ThrowsFormatExceptionQuotingTheOutput()
    {
        var error = Assert.Throws<FormatException>(() => PingSummary.Parse("ping: connect: Network is unreachable\n"));

        Assert.Contains("ping: connect: Network is unreachable", error.Message);
    }

    [Fact]
    public void ToString_AllAnswered_IsOneLine() =>
        Assert.Equal("5/5 received, 0% loss, rtt min/avg/max/mdev 0.056/0.336/1.455/0.559 ms", PingSummary.Parse(AllAnswered).ToString());
}
