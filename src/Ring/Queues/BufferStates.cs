namespace Ring.Queues;

/// <summary>Where one buffer is, as the side that tracks it sees it. One byte per buffer.</summary>
internal static class BufferStates
{
    /// <summary>Here, free: not with the peer, not with the application.</summary>
    public const byte Free = 0;
    /// <summary>With the peer (posted on the fill ring or sent on the TX ring, by the guest; on the device, none).</summary>
    public const byte Posted = 1;
    /// <summary>With the application: received and not yet returned, or rented and not yet sent.</summary>
    public const byte Held = 2;
    /// <summary>A received buffer the application forwarded: with the peer on the TX ring, coming home on the TX
    /// completion ring (the guest's RX buffers only).</summary>
    public const byte Forwarded = 3;

    /// <summary>
    /// A reset: every buffer in <paramref name="states"/> that was with the peer (posted, or forwarded) is free again and joins the back of
    /// <paramref name="free"/>, lowest index first; the ones the application holds stay its own. Buffer i starts at
    /// <paramref name="first"/> + i x <paramref name="stride"/>.
    /// </summary>
    public static void ReclaimPosted(byte[] states, BufferFifo free, ulong first, ulong stride)
    {
        for (int i = 0; i < states.Length; i++)
        {
            if (states[i] is not (Posted or Forwarded))
                continue;
            states[i] = Free;
            free.Push(first + (ulong)i * stride);
        }
    }
}
