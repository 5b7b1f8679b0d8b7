namespace Ring.Traffic;

/// <summary>Which way packets move, from the guest's point of view.</summary>
[Flags]
public enum Direction
{
    /// <summary>Device to guest: RX fill and RX completion rings.</summary>
    Rx = 1,
    /// <summary>Guest to device: TX and TX completion rings.</summary>
    Tx = 2,
    /// <summary>Both at once.</summary>
    Both = Rx | Tx,
}

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
