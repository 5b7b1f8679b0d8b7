using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
        // Forwarded in place, the reply is the frame: not a byte is read or written, so the frame's lines stay in
        // the cache of the core that wrote them, which is the one that sends them on.
        if (!Unsafe.AreSame(ref MemoryMarshal.GetReference(frame), ref MemoryMarshal.GetReference(reply)))
            frame.CopyTo(reply);
        return frame.Length;
    }
}
