using Bench;
using Ring.Harness.Hosting;

return ProgramShell.Run("bench", () => OptionParser.ParseVerbs(args, typeof(PairOptions), typeof(RttOptions), typeof(SweepOptions), typeof(RefsOptions), typeof(PlotOptions), typeof(MicroOptions), typeof(PingDemoOptions), typeof(StatsOptions), typeof(KillsOptions), typeof(SoakOptions)) switch
{
    PairOptions pair => PairCommand.Run(pair),
    RttOptions rtt => RttCommand.Run(rtt),
    SweepOptions sweep => SweepCommand.Run(sweep),
    RefsOptions refs => RefsCommand.Run(refs),
    PlotOptions plot => PlotCommand.Run(plot),
    MicroOptions micro => MicroCommand.Run(micro),
    PingDemoOptions pingDemo => PingDemoCommand.Run(pingDemo),
    StatsOptions stats => StatsCommand.Run(stats),
    KillsOptions kills => KillsCommand.Run(kills),
    SoakOptions soak => SoakCommand.Run(soak),
    _ => ExitCodes.Ok,
});
