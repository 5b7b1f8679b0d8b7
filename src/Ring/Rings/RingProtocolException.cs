using Ring.Layout;

namespace Ring.Rings;

/// <summary>The peer broke the ring protocol (an index jumped). Not retryable: the region needs a reset.</summary>
public sealed class RingProtocolException(ViolationCode code, string message) : RingException(message)
{
    /// <summary>What was violated; stored in the header so the peer can report it too.</summary>
    public ViolationCode Code { get; } = code;
}
