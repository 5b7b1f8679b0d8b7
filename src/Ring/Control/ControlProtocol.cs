namespace Ring.Control;

/// <summary>The control protocol's constants. The protocol itself is described at the top of ControlListener.cs.</summary>
internal static class ControlProtocol
{
    /// <summary>First four bytes of every message: "RCTL" in ASCII, read as a little-endian u32.</summary>
    public const uint Magic = 0x4C54_4352;

    /// <summary>
    /// The protocol version in HELLO. The 8-byte header and HELLO's version field never move, so a peer of any
    /// version can be told <see cref="ControlReason.VersionMismatch"/> instead of "bad message".
    /// </summary>
    public const ushort Version = 1;

    /// <summary>Largest message of any type; a longer one is malformed.</summary>
    public const int MaxMessageLength = 256;

    /// <summary>Largest UTF-8 text in REFUSE and BYE.</summary>
    public const int MaxTextBytes = 200;

    /// <summary>Largest region length a REGION message may carry (1 TiB): anything larger is garbage.</summary>
    public const long MaxRegionLength = 1L << 40;
}
