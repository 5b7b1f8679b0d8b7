namespace Ring.Control;

/// <summary>One decoded, validated control message. Built only by <see cref="MessageCodec"/> or by our own side.</summary>
internal abstract record ControlMessage
{
    /// <summary>The wire type.</summary>
    public abstract MessageType Type { get; }
}
