using System.Reflection;
using System.Text.RegularExpressions;
using Bench;
using CommandLine;
using Consumer;
using Producer;
using Ring.Harness.Hosting;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <c>--help</c> of every program and bench verb, through the real binaries: exit 0, nothing on standard error, every
/// option listed with its dashes, a usage example, and every option's default said (CommandLineParser's
/// "(Default: x)", or the help text's own "default ..." where the default is not one value).
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class HelpTests : IDisposable
{
    private readonly ProgramRunner _runner = new();

    public static TheoryData<string, string?, Type> Screens => new()
    {
        { "Consumer", null, typeof(ConsumerOptions) },
        { "Producer", null, typeof(ProducerOptions) },
        { "bench", "pair", typeof(PairOptions) },
        { "bench", "rtt", typeof(RttOptions) },
        { "bench", "sweep", typeof(SweepOptions) },
        { "bench", "refs", typeof(RefsOptions) },
        { "bench", "plot", typeof(PlotOptions) },
        { "bench", "micro", typeof(MicroOptions) },
        { "bench", "ping-demo", typeof(PingDemoOptions) },
        { "bench", "stats", typeof(StatsOptions) },
    };

    [Theory]
    [MemberData(nameof(Screens))]
    public void Help_EveryProgramAndVerb_ListsEachOptionAndAnExample(string program, string? verb, Type options)
    {
        var result = _runner.Run(program, verb is null ? ["--help"] : [verb, "--help"]);

        Assert.True(result.ExitCode == ExitCodes.Ok && result.Stderr.Length == 0, result.ToString());
        foreach (var option in OptionsOf(options))
            Assert.True(Regex.IsMatch(result.Stdout, $@"^\s+--{Regex.Escape(option.LongName)}\s", RegexOptions.Multiline),
                $"--{option.LongName} is not listed\n{result}");
        string example = verb is null ? $"  {program} --" : $"  bench {verb} ";
        Assert.True(result.Stdout.Split('\n').Any(line => line.StartsWith(example, StringComparison.Ordinal)),
            $"no example line starting '{example}'\n{result}");
    }

    [Theory]
    [MemberData(nameof(Screens))]
    public void Options_EveryValueOption_SaysItsDefault(string program, string? verb, Type options)
    {
        var silent = OptionsOf(options)
            .Where(o => o.Default is null && o.Property.PropertyType != typeof(bool) && !o.Required
                && !o.HelpText.Contains("default", StringComparison.OrdinalIgnoreCase))
            .Select(o => "--" + o.LongName)
            .ToList();

        Assert.True(silent.Count == 0, $"{program} {verb}: no default said for {string.Join(", ", silent)}");
    }

    [Fact]
    public void Help_BenchAlone_ListsEveryVerbAndExitsZero()
    {
        var result = _runner.Run("bench", "--help");

        Assert.True(result.ExitCode == ExitCodes.Ok && result.Stderr.Length == 0, result.ToString());
        foreach (string verb in Screens.Select(row => (string?)row[1]).OfType<string>())
            Assert.Matches(new Regex($@"^\s+{verb}\s", RegexOptions.Multiline), result.Stdout);
    }

    [Fact]
    public void Help_HelpVerb_PrintsTheVerbsScreen()
    {
        var viaVerb = _runner.Run("bench", "help", "stats");
        var viaOption = _runner.Run("bench", "stats", "--help");

        Assert.True(viaVerb.ExitCode == ExitCodes.Ok, viaVerb.ToString());
        Assert.Equal(viaOption.Stdout, viaVerb.Stdout);
    }

    public void Dispose() => _runner.Dispose();

    private sealed record OptionInfo(PropertyInfo Property, string LongName, object? Default, bool Required, string HelpText);

    private static List<OptionInfo> OptionsOf(Type options) =>
        options.GetProperties()
            .Select(p => (Property: p, Option: p.GetCustomAttribute<OptionAttribute>(inherit: true)))
            .Where(p => p.Option is { Hidden: false })
            .Select(p => new OptionInfo(p.Property, p.Option!.LongName, p.Option.Default, p.Option.Required, p.Option.HelpText))
            .ToList();
}
