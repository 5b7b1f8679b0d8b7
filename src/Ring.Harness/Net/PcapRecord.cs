namespace Ring.Harness.Net;

/// <summary>One record read by <see cref="PcapReader"/>: its frame is the first <see cref="CapturedLength"/> bytes of
/// the caller's buffer.</summary>
/// <param name="UnixNanoseconds">When it was captured, in nanoseconds after the Unix epoch (microsecond files: a multiple of 1000).</param>
/// <param name="CapturedLength">Bytes of the frame in the file, now in the buffer.</param>
/// <param name="OriginalLength">Bytes of the frame on the wire; more than captured when it was cut at the snap length.</param>
public readonly record struct PcapRecord(long UnixNanoseconds, int CapturedLength, int OriginalLength);
