
namespace Ring.Harness.Hosting;

/// <summary>Parses <see cref="WaitMode"/> as the command lines spell it: poll, event, hybrid.</summary>
public static class WaitModeNames
{
    /// <summary>Parses poll, event or hybrid; throws <see cref="ArgumentException"/> otherwise.</summary>
    public static WaitMode Parse(string option, string text) => text switch
    {
        "poll" => WaitMode.Poll,
        "event" => WaitMode.Event,
        "hybrid" => WaitMode.Hybrid,
        _ => throw new ArgumentException($"unknown {option} '{text}' (use poll, event or hybrid)"),
    };

    /// <summary>poll, event or hybrid.</summary>
    public static string Name(this WaitMode mode) => mode.ToString().ToLowerInvariant();
}
