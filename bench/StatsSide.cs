namespace Bench;

/// <summary>One side of a region as <c>bench stats</c> shows it: who it is and how it waits.</summary>
public sealed class StatsSide
{
    /// <summary>Its process id as it wrote it (0: no device attached yet).</summary>
    public int Pid { get; set; }
    /// <summary>Whether that process exists now.</summary>
    public bool Alive { get; set; }
    /// <summary>poll, event or hybrid.</summary>
    public string WaitMode { get; set; } = "";

    /// <summary>Whether process <paramref name="pid"/> exists (Linux: it has a /proc entry).</summary>
    public static bool ProcessExists(int pid) => pid > 0 && Directory.Exists($"/proc/{pid}");
}
