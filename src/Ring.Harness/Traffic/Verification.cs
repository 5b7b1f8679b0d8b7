namespace Ring.Harness.Traffic;

/// <summary>How much of each test packet the receiver checks (<c>--verify</c>); both sides must say the same, as the
/// sender writes what the receiver checks.</summary>
public enum Verification
{
    /// <summary>The sequence number in bytes 0..7 only; the sender fills the rest with a constant.</summary>
    Sequence,
    /// <summary>Every byte: the sender fills bytes 16.. with <see cref="PayloadPattern"/>, derived from the sequence
    /// number and the timestamp in bytes 8..15, and the receiver checks each one, across chained buffers too.</summary>
    Full,
}
