namespace Ring.Harness.Net;

/// <summary>testpmd's <c>macswap</c> mode: every frame goes back with its Ethernet destination and source swapped.</summary>
public sealed class MacSwapForward : IGuestApp
{
    /// <inheritdoc />
    public string Name => "macswap";

    /// <inheritdoc />
    public FrameCounters Counters { get; } = new();

    /// <inheritdoc />
    public int Respond(ReadOnlySpan<byte> frame, Span<byte> reply, out FrameDropReason reason)
    {
        reason = frame.Length < EthernetHeader.Length ? FrameDropReason.FrameTooShort
            : frame.Length > reply.Length ? FrameDropReason.ReplyTooLong : FrameDropReason.None;
        Counters.Count(reason);
        if (reason != FrameDropReason.None)
            return 0;
        frame.CopyTo(reply);
        EthernetHeader.SwapAddresses(reply);
        return frame.Length;
    }
}
