namespace Ring.Queues;

/// <summary>Drop counts by <see cref="DropReason"/>.</summary>
public sealed class DropCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<DropReason>().Length];

    /// <summary>Counts one drop.</summary>
    public void Count(DropReason reason) => _counts[(int)reason]++;

    /// <summary>Drops for <paramref name="reason"/>.</summary>
    public long this[DropReason reason] => _counts[(int)reason];

    /// <summary>All drops.</summary>
    public long Total => _counts.Sum();

    /// <summary>Adds <paramref name="other"/>'s counts into this one.</summary>
    public void Add(DropCounters other)
    {
        for (int i = 0; i < _counts.Length; i++)
            _counts[i] += other._counts[i];
    }

    /// <summary>Non-zero counts as <c>reason=count</c> pairs, e.g. for a summary line.</summary>
    public IEnumerable<KeyValuePair<DropReason, long>> NonZero() =>
        Enum.GetValues<DropReason>().Where(r => this[r] != 0).Select(r => KeyValuePair.Create(r, this[r]));
}
