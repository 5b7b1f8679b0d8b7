namespace Ring.Harness.Net;

/// <summary>
/// The classic pcap file format (libpcap's savefile, draft-ietf-opsawg-pcap): one file header, then records of a
/// 16-byte header and the captured bytes. Every field is in the byte order of the writer, which the magic number
/// tells; this project writes little-endian with nanosecond timestamps.
/// <code>
/// file header (24 bytes)                      record header (16 bytes)
/// +------------------------------------+      +------------------------------------+
/// |  0 magic              (4)          |      |  0 timestamp seconds     (4)       |
/// |  4 version major 2    (2)          |      |  4 timestamp fraction    (4)       |
/// |  6 version minor 4    (2)          |      |    (us or ns, as the magic says)   |
/// |  8 reserved (thiszone, 0) (4)      |      |  8 captured length       (4)       |
/// | 12 reserved (sigfigs, 0)  (4)      |      | 12 original length       (4)       |
/// | 16 snap length        (4)          |      +------------------------------------+
/// | 20 link type, 1 = Ethernet (4)     |      captured bytes follow, no padding
/// +------------------------------------+
/// </code>
/// </summary>
public static class PcapFormat
{
    /// <summary>Magic number: its byte order is the file's; its value says the timestamp unit.</summary>
    public const int MagicOffset = 0;
    /// <summary>Major version: 2.</summary>
    public const int VersionMajorOffset = MagicOffset + sizeof(uint);
    /// <summary>Minor version: 4.</summary>
    public const int VersionMinorOffset = VersionMajorOffset + sizeof(ushort);
    /// <summary>Reserved (once the time zone offset); written 0, ignored.</summary>
    public const int ThisZoneOffset = VersionMinorOffset + sizeof(ushort);
    /// <summary>Reserved (once the timestamp accuracy); written 0, ignored.</summary>
    public const int SigFigsOffset = ThisZoneOffset + sizeof(int);
    /// <summary>The largest captured length of any record.</summary>
    public const int SnapLengthOffset = SigFigsOffset + sizeof(uint);
    /// <summary>Link type (low 16 bits; the high bits may carry FCS information): 1 for Ethernet.</summary>
    public const int LinkTypeOffset = SnapLengthOffset + sizeof(uint);
    /// <summary>Length of the file header.</summary>
    public const int FileHeaderLength = LinkTypeOffset + sizeof(uint);

    /// <summary>Record timestamp, whole seconds since the Unix epoch.</summary>
    public const int SecondsOffset = 0;
    /// <summary>Record timestamp, the fraction of the second in micro- or nanoseconds.</summary>
    public const int FractionOffset = SecondsOffset + sizeof(uint);
    /// <summary>Bytes of the frame in the file.</summary>
    public const int CapturedLengthOffset = FractionOffset + sizeof(uint);
    /// <summary>Bytes of the frame on the wire (more than captured when it was cut at the snap length).</summary>
    public const int OriginalLengthOffset = CapturedLengthOffset + sizeof(uint);
    /// <summary>Length of a record header.</summary>
    public const int RecordHeaderLength = OriginalLengthOffset + sizeof(uint);

    /// <summary>Magic of a file with microsecond timestamps.</summary>
    public const uint MagicMicroseconds = 0xA1B2C3D4;
    /// <summary>Magic of a file with nanosecond timestamps.</summary>
    public const uint MagicNanoseconds = 0xA1B23C4D;
    /// <summary>The first four bytes of a pcapng file (its section header block type), for a clearer error.</summary>
    public const uint MagicPcapng = 0x0A0D0D0A;
    /// <summary>The version this format has had since 1998.</summary>
    public const ushort VersionMajor = 2;
    /// <summary>The version this format has had since 1998.</summary>
    public const ushort VersionMinor = 4;
    /// <summary>Link type of Ethernet.</summary>
    public const uint LinkTypeEthernet = 1;
    /// <summary>The snap length tcpdump and Wireshark write: larger than any frame Ring carries.</summary>
    public const int DefaultSnapLength = 262_144;
}
