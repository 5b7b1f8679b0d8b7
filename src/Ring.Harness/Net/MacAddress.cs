using System.Buffers.Binary;
using System.Globalization;

namespace Ring.Harness.Net;

/// <summary>A 48-bit Ethernet address, held in the low 48 bits of a <see cref="ulong"/> in wire order (the first byte on
/// the wire is bits 47..40), so reading, comparing and writing one costs two loads or stores and no allocation.</summary>
public readonly record struct MacAddress(ulong Value)
{
    /// <summary>Bytes in an Ethernet address.</summary>
    public const int Length = 6;

    /// <summary>ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast { get; } = new(0xFFFF_FFFF_FFFF);

    /// <summary>Whether the group bit (the lowest bit of the first byte) is set: broadcast or multicast.</summary>
    public bool IsGroup => (Value & (1UL << 40)) != 0;

    /// <summary>Reads the 6 bytes at the start of <paramref name="bytes"/>.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> bytes) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]));

    /// <summary>Writes the 6 bytes at the start of <paramref name="bytes"/>.</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)Value);
    }

    /// <summary>Parses six colon-separated hex bytes (<c>02:52:49:4e:47:02</c>); throws <see cref="ArgumentException"/> otherwise.</summary>
    public static MacAddress Parse(string text)
    {
        string[] parts = text.Split(':');
        ulong value = 0;
        if (parts.Length != Length)
            throw new ArgumentException($"'{text}' is not a MAC address (six hex bytes separated by colons)");
        foreach (string part in parts)
        {
            if (part.Length is < 1 or > 2 || !byte.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte b))
                throw new ArgumentException($"'{text}' is not a MAC address (six hex bytes separated by colons)");
            value = (value << 8) | b;
        }
        return new MacAddress(value);
    }

    /// <inheritdoc />
    public override string ToString()
    {
        ulong value = Value;
        return string.Join(':', Enumerable.Range(0, Length).Select(i => ((byte)(value >> (40 - 8 * i))).ToString("x2", CultureInfo.InvariantCulture)));
    }
}
