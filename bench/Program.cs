using Bench;
using Ring.Hosting;

return ProgramShell.Run("bench", () => OptionParser.ParseVerbs(args, typeof(PairOptions)) switch
{
    PairOptions pair => PairCommand.Run(pair),
    _ => ExitCodes.Ok,
});
