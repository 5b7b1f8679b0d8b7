using System.Text;

namespace Ring.Harness.Net;

/// <summary>
/// What a guest application did with the frames it saw: how many it answered and, per <see cref="FrameDropReason"/>, how
/// many it dropped. Written by one thread (the one that calls the application), read by anyone after it stops.
/// </summary>
public sealed class FrameCounters
{
    private readonly long[] _dropped = new long[Enum.GetValues<FrameDropReason>().Length];

    /// <summary>Frames answered with a reply.</summary>
    public long Replied { get; private set; }

    /// <summary>Frames dropped, all reasons together.</summary>
    public long Dropped { get; private set; }

    /// <summary>Frames dropped for <paramref name="reason"/>.</summary>
    public long this[FrameDropReason reason] => _dropped[(int)reason];

    /// <summary>Counts one frame: replied when <paramref name="reason"/> is <see cref="FrameDropReason.None"/>, else dropped for it.</summary>
    public void Count(FrameDropReason reason)
    {
        if (reason == FrameDropReason.None)
        {
            Replied++;
            return;
        }
        _dropped[(int)reason]++;
        Dropped++;
    }

    /// <summary>The reasons with a non-zero count, in enum order.</summary>
    public IEnumerable<(FrameDropReason Reason, long Count)> Drops() =>
        Enum.GetValues<FrameDropReason>().Where(r => _dropped[(int)r] != 0).Select(r => (r, _dropped[(int)r]));

    /// <summary>One line: <c>replied 100, dropped 3 (FrameTooShort 1, Ipv4BadChecksum 2)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"replied {Replied}, dropped {Dropped}");
        if (Dropped != 0)
            text.Append(" (").AppendJoin(", ", Drops().Select(d => $"{d.Reason} {d.Count}")).Append(')');
        return text.ToString();
    }
}
