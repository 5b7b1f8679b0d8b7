namespace Ring;

/// <summary>What a <see cref="Guest.ResetAsync"/> took back from the device it reset.</summary>
public readonly struct DeviceReset
{
    internal DeviceReset(int postedBuffers, int inFlightBuffers)
    {
        PostedBuffers = postedBuffers;
        InFlightBuffers = inFlightBuffers;
    }

    /// <summary>Receive buffers that were posted to the device (on the fill ring or being filled), all queue pairs.</summary>
    public int PostedBuffers { get; }

    /// <summary>Buffers that were in flight on TX (sent, not yet completed), all queue pairs, received buffers the
    /// guest forwarded (<see cref="QueuePair.Forward"/>) included: packets the device may or may not have sent on.</summary>
    public int InFlightBuffers { get; }
}
