namespace Ring.Harness.Traffic;

/// <summary>Parses and prints <see cref="Verification"/> as the command lines spell it: seq, full.</summary>
public static class VerificationNames
{
    /// <summary>Parses seq or full; throws <see cref="ArgumentException"/> for anything else.</summary>
    public static Verification Parse(string text) => text switch
    {
        "seq" => Verification.Sequence,
        "full" => Verification.Full,
        _ => throw new ArgumentException($"unknown --verify '{text}' (use seq or full)"),
    };

    /// <summary>seq or full.</summary>
    public static string Name(this Verification verification) => verification == Verification.Full ? "full" : "seq";
}
