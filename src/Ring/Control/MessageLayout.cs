namespace Ring.Control;

/// <summary>
/// Byte offsets of the control messages. Every field is little-endian; every message is at most
/// <see cref="ControlProtocol.MaxMessageLength"/> bytes and is sent as one SEQPACKET message.
/// <code>
/// Header (every message), 8 bytes:
///  0                   4         6         8
///  +-------------------+---------+---------+
///  | magic u32 "RCTL"  | type u16|len u16  |   len = bytes in the whole message, header included
///  +-------------------+---------+---------+
/// HELLO (peer -> guest), 16 bytes:
///  8         10        12                  16
///  +---------+---------+-------------------+
///  |version  | role u16| pid i32 (claimed) |
///  +---------+---------+-------------------+
/// REGION (guest -> peer), 26 bytes, one memfd attached as SCM_RIGHTS:
///  8                   16                  24        26
///  +-------------------+-------------------+---------+
///  | generation u64    | length u64        |access   |
///  +-------------------+-------------------+---------+
/// REFUSE (guest -> peer) and BYE (either way), 12 + n bytes, n &lt;= 200:
///  8         10        12
///  +---------+---------+----------------------------+
///  |reason   | n u16   | n bytes of UTF-8, one line |
///  +---------+---------+----------------------------+
/// </code>
/// </summary>
internal static class MessageLayout
{
    /// <summary>Magic, <see cref="ControlProtocol.Magic"/>: tells a Ring control message from anything else.</summary>
    public const int MagicOffset = 0;
    /// <summary>Message type, a <see cref="MessageType"/>.</summary>
    public const int TypeOffset = MagicOffset + sizeof(uint);
    /// <summary>Length of the whole message; must equal the bytes received.</summary>
    public const int LengthOffset = TypeOffset + sizeof(ushort);
    /// <summary>Bytes in the header; the type's fields start here.</summary>
    public const int HeaderLength = LengthOffset + sizeof(ushort);

    /// <summary>HELLO: protocol version, <see cref="ControlProtocol.Version"/>. Never moves.</summary>
    public const int HelloVersionOffset = HeaderLength;
    /// <summary>HELLO: the role asked for, a <see cref="PeerRole"/>.</summary>
    public const int HelloRoleOffset = HelloVersionOffset + sizeof(ushort);
    /// <summary>HELLO: the pid the peer believes it has (its own namespace); shown in logs, never trusted.</summary>
    public const int HelloPidOffset = HelloRoleOffset + sizeof(ushort);
    /// <summary>Bytes in HELLO.</summary>
    public const int HelloLength = HelloPidOffset + sizeof(int);

    /// <summary>REGION: session generation, incremented each time the guest accepts a device.</summary>
    public const int RegionGenerationOffset = HeaderLength;
    /// <summary>REGION: bytes of the region to map; the memfd is at least this long.</summary>
    public const int RegionLengthOffset = RegionGenerationOffset + sizeof(ulong);
    /// <summary>REGION: how the attached descriptor was opened, a <see cref="RegionAccess"/>.</summary>
    public const int RegionAccessOffset = RegionLengthOffset + sizeof(ulong);
    /// <summary>Bytes in REGION.</summary>
    public const int RegionLength = RegionAccessOffset + sizeof(ushort);

    /// <summary>REFUSE and BYE: a <see cref="ControlReason"/>.</summary>
    public const int ReasonOffset = HeaderLength;
    /// <summary>REFUSE and BYE: bytes of text that follow.</summary>
    public const int TextLengthOffset = ReasonOffset + sizeof(ushort);
    /// <summary>REFUSE and BYE: the text, UTF-8, no control characters.</summary>
    public const int TextOffset = TextLengthOffset + sizeof(ushort);
}
