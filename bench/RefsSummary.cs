namespace Bench;

/// <summary>The kept rounds of one speed state, summed up: each figure's range and spread, each ratio's range.</summary>
public sealed class RefsSummary
{
    /// <summary>fast or slow.</summary>
    public string State { get; set; } = "";
    /// <summary>The rounds it sums up, by number.</summary>
    public List<int> Rounds { get; set; } = [];
    /// <summary>Each figure over those rounds (its spread is the program's own, run to run).</summary>
    public List<RefsRange> Figures { get; set; } = [];
    /// <summary>Each ratio over those rounds.</summary>
    public List<RefsRange> Ratios { get; set; } = [];

    /// <summary>One summary per speed state the kept rounds ran in, the state with more rounds first.</summary>
    public static List<RefsSummary> Of(IEnumerable<RefsRound> rounds) =>
        [.. rounds.Where(r => r.Kept).GroupBy(r => r.State).OrderByDescending(g => g.Count()).Select(g => new RefsSummary
        {
            State = g.Key,
            Rounds = [.. g.Select(r => r.Number)],
            Figures = Ranges(g, r => r.Figures),
            Ratios = Ranges(g, r => r.Ratios),
        })];

    private static List<RefsRange> Ranges(IEnumerable<RefsRound> rounds, Func<RefsRound, Dictionary<string, double>> values) =>
        [.. rounds.SelectMany(values).GroupBy(pair => pair.Key).Select(g => RefsRange.Of(g.Key, g.Select(pair => pair.Value)))];
}
