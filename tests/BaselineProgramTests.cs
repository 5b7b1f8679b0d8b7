using Ring.Harness.Hosting;
using System.Text.RegularExpressions;
using Bench;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The project's own C baselines (bench/c: cring, floors), built from the sources embedded in the bench program, as
/// <c>refs</c> builds them in any clone. Each run is short and has a deadline; only shapes and counts are checked,
/// never a speed. The programs pin themselves to cores 0 and 1.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed partial class BaselineProgramTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private readonly BaselinePrograms _programs = BaselinePrograms.Build();

    [Fact]
    public void Build_BothPrograms_WarningFreeOutsideTheRepositoryAndDeletedOnDispose()
    {
        string folder;
        using (var programs = BaselinePrograms.Build())
        {
            folder = programs.Folder;
            Assert.True(programs.Warnings.Length == 0, $"gcc -Wall -Wextra warned:\n{programs.Warnings}");
            Assert.True(File.Exists(Path.Combine(folder, BaselinePrograms.Cring)) && File.Exists(Path.Combine(folder, BaselinePrograms.Floors)));
            if (RepoRoot.Find() is { } root)
                Assert.False(folder.StartsWith(root, StringComparison.Ordinal), $"built inside the repository: {folder}");
        }
        Assert.False(Directory.Exists(folder), $"{folder} left behind");
    }

    [Theory]
    [InlineData("rx")]
    [InlineData("tx")]
    public void Cring_EachDirectionBriefly_PrintsParseableLineWithBadZero(string direction)
    {
        string line = _programs.Run(BaselinePrograms.Cring, ["--direction", direction, "--seconds", "0.2"], Deadline).Trim();

        var match = CringLine().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(direction, match.Groups["dir"].Value);
        Assert.Equal("0", match.Groups["bad"].Value);
        Assert.True(ulong.Parse(match.Groups["packets"].Value) > 0, line);
        Assert.True(CProgramFolder.Figure(line, "Mpps") > 0, line);
    }

    [Theory]
    [InlineData("rx")]
    [InlineData("tx")]
    public void Cring_TinyRingsOddBurstManyLaps_DeliversEveryPacketInOrder(string direction)
    {
        // 9 buffers on 16-entry rings, bursts of 7: every ring wraps thousands of times, bursts straddle the wrap,
        // and the generation bit flips in the middle of a burst.
        string line = _programs.Run(BaselinePrograms.Cring,
            ["--direction", direction, "--packets", "100003", "--buffers", "9", "--ring-size", "16", "--burst", "7", "--stride", "192",
             "--buffer-size", "128", "--size", "100"], Deadline).Trim();

        var match = CringLine().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(("100003", "0"), (match.Groups["packets"].Value, match.Groups["bad"].Value));
    }

    [Theory]
    [InlineData("rx")]
    [InlineData("tx")]
    public void Cring_FourTimesMoreBuffersThanRingEntries_NoRingOverflowsAndEveryPacketArrivesInOrder(string direction)
    {
        // 64 buffers on 16-entry rings: at most 16 are with the device at once, the rest wait in the guest's FIFO.
        // A ring that overflowed would lose or repeat a packet, and the run would count it bad or missing.
        string line = _programs.Run(BaselinePrograms.Cring,
            ["--direction", direction, "--packets", "200003", "--buffers", "64", "--ring-size", "16", "--burst", "7", "--size", "100"], Deadline).Trim();

        var match = CringLine().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(("200003", "0"), (match.Groups["packets"].Value, match.Groups["bad"].Value));
        Assert.Contains(" nb=64 stride=2048 rs=16 ", line);
    }

    [Fact]
    public void Cring_Defaults_AreRingsGeometry()
    {
        string line = _programs.Run(BaselinePrograms.Cring, ["--packets", "1000"], Deadline).Trim();

        Assert.Contains(" nb=4096 stride=2048 rs=1024 burst=32 ", line);
    }

    [Fact]
    public void Cring_RingSizeNotAPowerOfTwo_IsRefusedBeforeStarting()
    {
        var e = Assert.Throws<RunFailedException>(() =>
            _programs.Run(BaselinePrograms.Cring, ["--ring-size", "1000", "--packets", "10"], Deadline));

        Assert.Contains("--ring-size must be a power of two", e.Message);
    }

    [Theory]
    [InlineData("spin", 2000)]
    [InlineData("futex", 200)]
    public void Floors_EachMode_PrintsItsMeanRoundTrip(string mode, int count)
    {
        string line = _programs.Run(BaselinePrograms.Floors, [mode, count.ToString(System.Globalization.CultureInfo.InvariantCulture)], Deadline).Trim();

        Assert.Matches($"^{mode} rtt_ns=[0-9]+(\\.[0-9]+)? round_trips={count}$", line);
        Assert.True(CProgramFolder.Figure(line, "rtt_ns") > 0, line);
    }

    /// <inheritdoc />
    public void Dispose() => _programs.Dispose();

    [GeneratedRegex(@"^cring dir=(?<dir>rx|tx) pkt=[0-9]+ nb=[0-9]+ stride=[0-9]+ rs=[0-9]+ burst=[0-9]+ packets=(?<packets>[0-9]+) "
        + @"seconds=[0-9.]+ Mpps=[0-9.]+ Gbps=[0-9.]+ bad=(?<bad>[0-9]+)$")]
    private static partial Regex CringLine();
}
