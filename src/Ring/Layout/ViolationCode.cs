namespace Ring.Layout;

/// <summary>Why a side moved the status to NEEDS_RESET. Stored in the header so the peer can say it too.</summary>
internal enum ViolationCode : uint
{
    /// <summary>No violation.</summary>
    None = 0,
    /// <summary>A header field that is fixed after the handshake changed.</summary>
    HeaderChanged = 1,
}
