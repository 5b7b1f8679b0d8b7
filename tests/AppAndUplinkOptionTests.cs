using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>The command lines of <c>--app</c> and <c>--uplink</c> that make no sense: one line, exit 2, nothing created.</summary>
[Collection(ProcessCollection.Name)]
public sealed class AppAndUplinkOptionTests : IDisposable
{
    private readonly ProgramRunner _runner = new();

    public static TheoryData<string, string[], string> BadArguments => new()
    {
        { "Consumer", ["--app", "forward"], "unknown --app 'forward' (use rxonly, txonly, io, macswap or icmpecho)" },
        { "Consumer", ["--app", "icmpecho"], "--app icmpecho needs --ip" },
        { "Consumer", ["--app", "icmpecho", "--ip", "10.77.0.256"], "'10.77.0.256' is not an IPv4 address" },
        { "Consumer", ["--app", "icmpecho", "--ip", "10.77.0.2", "--mac", "01:00:5e:00:00:01"], "is a group address" },
        { "Consumer", ["--app", "io", "--ip", "10.77.0.2"], "--ip and --mac go with --app icmpecho only" },
        { "Consumer", ["--app", "io", "--echo"], "--echo is --app io" },
        { "Consumer", ["--app", "txonly", "--direction", "both"], "--direction goes with the sequence-numbered traffic only" },
        { "Consumer", ["--pcap-out", "/nonexistent-dir/x.pcap"], "--pcap-out /nonexistent-dir/x.pcap: " },
        { "Producer", ["--uplink", "nic:eth0"], "unknown --uplink 'nic:eth0' (use gen, tap:NAME or pcap:FILE)" },
        { "Producer", ["--uplink", "tap:a-name-far-too-long"], "--uplink tap:NAME needs an interface name of 1 to 15 characters" },
        { "Producer", ["--uplink", "pcap:"], "--uplink pcap:FILE needs the capture's path" },
        { "Producer", ["--loop", "2"], "--loop and --pace go with --uplink pcap:FILE only" },
        { "Producer", ["--uplink", "pcap:x.pcap", "--pace", "slow"], "unknown --pace 'slow' (use recorded or max)" },
        { "Producer", ["--uplink", "tap:rtap0", "--packets", "10"], "--rtt, --rate, --direction and --packets go with --uplink gen" },
        { "Producer", ["--uplink", "pcap:x.pcap", "--seconds", "1"], "--seconds does not go with --uplink pcap:FILE" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Program_BadAppOrUplink_ExitsUsageWithOneLine(string program, string[] arguments, string phrase)
    {
        var result = _runner.Run(program, [.. arguments, "--region", _runner.Region]);

        Assert.True(result.ExitCode == ExitCodes.Usage, result.ToString());
        string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(phrase, lines[0]);
        Assert.True(_runner.FilesLeft().Count == 0, $"a rejected command line created {string.Join(", ", _runner.FilesLeft())}\n{result}");
    }

    public void Dispose() => _runner.Dispose();
}
