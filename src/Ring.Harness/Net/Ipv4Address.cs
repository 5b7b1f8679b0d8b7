using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Ring.Harness.Net;

/// <summary>An IPv4 address as the <see cref="uint"/> its four wire bytes make read big-endian (10.0.0.1 is 0x0A000001).</summary>
public readonly record struct Ipv4Address(uint Value)
{
    /// <summary>Bytes in an IPv4 address.</summary>
    public const int Length = 4;

    /// <summary>Reads the 4 bytes at the start of <paramref name="bytes"/>.</summary>
    public static Ipv4Address Read(ReadOnlySpan<byte> bytes) => new(BinaryPrimitives.ReadUInt32BigEndian(bytes));

    /// <summary>Writes the 4 bytes at the start of <paramref name="bytes"/>.</summary>
    public void Write(Span<byte> bytes) => BinaryPrimitives.WriteUInt32BigEndian(bytes, Value);

    /// <summary>Parses dotted-quad text (<c>10.77.0.2</c>); throws <see cref="ArgumentException"/> otherwise.</summary>
    public static Ipv4Address Parse(string text)
    {
        if (text.Count(c => c == '.') != 3 || !IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetwork)
            throw new ArgumentException($"'{text}' is not an IPv4 address (four decimal bytes separated by dots)");
        return Read(address.GetAddressBytes());
    }

    /// <inheritdoc />
    public override string ToString() => $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}";
}
