namespace Ring.Harness.Net;

/// <summary>testpmd's <c>io</c> mode: every frame goes back exactly as it came; only an empty frame is dropped.</summary>
public sealed class IoForward : IGuestApp
{
    /// <inheritdoc />
    public string Name => "io";

    /// <inheritdoc />
    public FrameCounters Counters { get; } = new();

    /// <inheritdoc />
    public int Respond(ReadOnlySpan<byte> frame, Span<byte> reply, out FrameDropReason reason)
    {
        reason = frame.IsEmpty ? FrameDropReason.FrameTooShort : frame.Length > reply.Length ? FrameDropReason.ReplyTooLong : FrameDropReason.None;
        Counters.Count(reason);
        if (reason != FrameDropReason.None)
            return 0;
        frame.CopyTo(reply); // a memmove: nothing moves when the reply is the frame
        return frame.Length;
    }
}
