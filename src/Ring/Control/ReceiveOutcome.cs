namespace Ring.Control;

/// <summary>What one non-blocking receive on a control connection gave.</summary>
internal enum ReceiveOutcome
{
    /// <summary>A valid message (and, for REGION, its one descriptor).</summary>
    Message,

    /// <summary>Nothing queued.</summary>
    Nothing,

    /// <summary>End-of-file or reset: the peer's end is closed.</summary>
    HangUp,

    /// <summary>Something arrived that fails validation; the error says what.</summary>
    Malformed,

    /// <summary>The receive call itself failed (not the peer's doing); the error names the errno.</summary>
    Failed,
}
