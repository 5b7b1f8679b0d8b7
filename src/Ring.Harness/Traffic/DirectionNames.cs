namespace Ring.Harness.Traffic;

/// <summary>Parses and prints <see cref="Direction"/> as the command lines spell it: rx, tx, both.</summary>
public static class DirectionNames
{
    /// <summary>Parses rx, tx or both; throws <see cref="ArgumentException"/> for anything else.</summary>
    public static Direction Parse(string text) => text switch
    {
        "rx" => Direction.Rx,
        "tx" => Direction.Tx,
        "both" => Direction.Both,
        _ => throw new ArgumentException($"unknown direction '{text}' (use rx, tx or both)"),
    };

    /// <summary>rx, tx or both.</summary>
    public static string Name(this Direction direction) => direction switch
    {
        Direction.Rx => "rx",
        Direction.Tx => "tx",
        _ => "both",
    };
}
