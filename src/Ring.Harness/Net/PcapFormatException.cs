namespace Ring.Harness.Net;

/// <summary>A pcap file that cannot be read: bad magic, unsupported version or link type, a truncated header or
/// record, a record longer than the snap length. The message is one line and names the file and the record.</summary>
public sealed class PcapFormatException(string message) : FormatException(message);
