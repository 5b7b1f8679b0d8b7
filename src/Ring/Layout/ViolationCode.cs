namespace Ring.Layout;

/// <summary>Why a side moved the status to NEEDS_RESET. Stored in the header so the peer can say it too.</summary>
public enum ViolationCode : uint
{
    /// <summary>No violation.</summary>
    None = 0,
    /// <summary>A producer index advanced by more than the ring size, or went backwards.</summary>
    ProducerIndexJump = 1,
    /// <summary>A consumer index advanced past the producer index, or went backwards.</summary>
    ConsumerIndexJump = 2,
}
