namespace Bench;

/// <summary>One figure or ratio over the kept rounds of one speed state: its least, median and greatest value.</summary>
public sealed class RefsRange
{
    /// <summary>The figure's or ratio's name.</summary>
    public string Name { get; set; } = "";
    /// <summary>How many rounds had it.</summary>
    public int Count { get; set; }
    /// <summary>The least value.</summary>
    public double Min { get; set; }
    /// <summary>The median (the mean of the middle two for an even count).</summary>
    public double Median { get; set; }
    /// <summary>The greatest value.</summary>
    public double Max { get; set; }
    /// <summary>The spread between identical runs, max / min: 1 is none.</summary>
    public double Spread => Min > 0 ? Max / Min : 0;

    /// <summary>The range of <paramref name="values"/> (at least one).</summary>
    public static RefsRange Of(string name, IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
            throw new ArgumentException($"no values for {name}", nameof(values));
        int middle = sorted.Length / 2;
        return new RefsRange
        {
            Name = name,
            Count = sorted.Length,
            Min = sorted[0],
            Median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2,
            Max = sorted[^1],
        };
    }
}
