namespace Ring.Harness.Net;

/// <summary>
/// A guest application in the manner of testpmd's forwarding modes: given each received frame, it writes the frame
/// to send back, or nothing. It is a function of the frame alone (plus its configuration), allocates nothing, never
/// throws for a frame's content, and counts every frame in <see cref="Counters"/>. One instance per polling thread.
/// </summary>
public interface IGuestApp
{
    /// <summary>The name <c>--app</c> gives it: io, macswap, icmpecho.</summary>
    string Name { get; }

    /// <summary>Frames replied to and dropped, per reason.</summary>
    FrameCounters Counters { get; }

    /// <summary>
    /// Reads <paramref name="frame"/> and writes the reply at the start of <paramref name="reply"/>. Returns the
    /// reply's length, or 0 with the <paramref name="reason"/> for sending nothing (<see cref="FrameDropReason.None"/>
    /// when a reply was written). <paramref name="reply"/> may be the same memory as <paramref name="frame"/>, or
    /// overlap it: everything the reply needs is read from the frame before the first byte of the reply is written.
    /// </summary>
    int Respond(ReadOnlySpan<byte> frame, Span<byte> reply, out FrameDropReason reason);
}
