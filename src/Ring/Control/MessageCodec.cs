using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using static Ring.Control.MessageLayout;

namespace Ring.Control;

/// <summary>
/// Encodes our messages and decodes the peer's. Decoding treats the bytes as hostile: it checks the header (magic,
/// declared length against bytes received, type), then every field of the type (version, enum values, ranges, text
/// length, UTF-8, no control characters), and reports a failure as a reason and one line, never by throwing.
/// </summary>
internal static class MessageCodec
{
    private static readonly UTF8Encoding Utf8NoThrow = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Writes <paramref name="message"/> into <paramref name="destination"/> (at least
    /// <see cref="ControlProtocol.MaxMessageLength"/> bytes) and returns its length. Text is cut to
    /// <see cref="ControlProtocol.MaxTextBytes"/> on a character boundary and control characters become '?', so
    /// what we send always decodes.
    /// </summary>
    public static int Encode(ControlMessage message, Span<byte> destination)
    {
        int length = message switch
        {
            HelloMessage hello => EncodeHello(hello, destination),
            RegionMessage region => EncodeRegion(region, destination),
            RefuseMessage refuse => EncodeText(refuse.Reason, refuse.Text, destination),
            ByeMessage bye => EncodeText(bye.Reason, bye.Text, destination),
            _ => throw new ArgumentException($"cannot encode {message.GetType().Name}", nameof(message)),
        };
        BinaryPrimitives.WriteUInt32LittleEndian(destination[MagicOffset..], ControlProtocol.Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[TypeOffset..], (ushort)message.Type);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[LengthOffset..], (ushort)length);
        return length;
    }

    /// <summary>
    /// Decodes one received message. On failure <paramref name="message"/> is null, <paramref name="problem"/> is
    /// <see cref="ControlReason.BadMessage"/> (or <see cref="ControlReason.VersionMismatch"/> for a HELLO of another
    /// version) and <paramref name="error"/> says what was wrong in one line.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out ControlMessage? message, out ControlReason problem, out string error)
    {
        message = null;
        problem = ControlReason.BadMessage;
        if (source.Length < HeaderLength)
            return Fail($"message of {source.Length} bytes is shorter than the {HeaderLength}-byte header", out error);
        uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source[MagicOffset..]);
        if (magic != ControlProtocol.Magic)
            return Fail($"bad magic 0x{magic:x8} (expected 0x{ControlProtocol.Magic:x8})", out error);
        int declared = BinaryPrimitives.ReadUInt16LittleEndian(source[LengthOffset..]);
        if (declared != source.Length)
            return Fail($"header says {declared} bytes, message has {source.Length}", out error);
        var type = (MessageType)BinaryPrimitives.ReadUInt16LittleEndian(source[TypeOffset..]);
        return type switch
        {
            MessageType.Hello => TryDecodeHello(source, out message, ref problem, out error),
            MessageType.Region => TryDecodeRegion(source, out message, out error),
            MessageType.Refuse or MessageType.Bye => TryDecodeText(type, source, out message, out error),
            _ => Fail($"unknown message type {(ushort)type}", out error),
        };
    }

    private static int EncodeHello(HelloMessage hello, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination[HelloVersionOffset..], ControlProtocol.Version);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[HelloRoleOffset..], (ushort)hello.Role);
        BinaryPrimitives.WriteInt32LittleEndian(destination[HelloPidOffset..], hello.ClaimedPid);
        return HelloLength;
    }

    private static int EncodeRegion(RegionMessage region, Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination[RegionGenerationOffset..], region.Generation);
        BinaryPrimitives.WriteInt64LittleEndian(destination[RegionLengthOffset..], region.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[RegionAccessOffset..], (ushort)region.Access);
        return RegionLength;
    }

    private static int EncodeText(ControlReason reason, string text, Span<byte> destination)
    {
        int written = WriteOneLine(text, destination.Slice(TextOffset, ControlProtocol.MaxTextBytes));
        BinaryPrimitives.WriteUInt16LittleEndian(destination[ReasonOffset..], (ushort)reason);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[TextLengthOffset..], (ushort)written);
        return TextOffset + written;
    }

    /// <summary>UTF-8 of <paramref name="text"/> with control characters as '?', as many whole characters as fit.</summary>
    private static int WriteOneLine(string text, Span<byte> destination)
    {
        int written = 0;
        Span<byte> scratch = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            var safe = Rune.IsControl(rune) ? new Rune('?') : rune;
            int size = safe.EncodeToUtf8(scratch);
            if (written + size > destination.Length)
                break;
            scratch[..size].CopyTo(destination[written..]);
            written += size;
        }
        return written;
    }

    private static bool TryDecodeHello(ReadOnlySpan<byte> source, out ControlMessage? message, ref ControlReason problem, out string error)
    {
        message = null;
        if (source.Length >= HelloVersionOffset + sizeof(ushort))
        {
            ushort version = BinaryPrimitives.ReadUInt16LittleEndian(source[HelloVersionOffset..]);
            if (version != ControlProtocol.Version)
            {
                problem = ControlReason.VersionMismatch;
                return Fail($"peer speaks control protocol version {version}, this side {ControlProtocol.Version}", out error);
            }
        }
        if (source.Length != HelloLength)
            return Fail($"HELLO is {HelloLength} bytes, got {source.Length}", out error);
        var role = (PeerRole)BinaryPrimitives.ReadUInt16LittleEndian(source[HelloRoleOffset..]);
        if (role is not (PeerRole.Device or PeerRole.Observer))
            return Fail($"HELLO role {(ushort)role} is neither device (1) nor observer (2)", out error);
        int pid = BinaryPrimitives.ReadInt32LittleEndian(source[HelloPidOffset..]);
        if (pid <= 0)
            return Fail($"HELLO pid {pid} is not a pid", out error);
        message = new HelloMessage(role, pid);
        error = "";
        return true;
    }

    private static bool TryDecodeRegion(ReadOnlySpan<byte> source, out ControlMessage? message, out string error)
    {
        message = null;
        if (source.Length != RegionLength)
            return Fail($"REGION is {RegionLength} bytes, got {source.Length}", out error);
        ulong generation = BinaryPrimitives.ReadUInt64LittleEndian(source[RegionGenerationOffset..]);
        long length = BinaryPrimitives.ReadInt64LittleEndian(source[RegionLengthOffset..]);
        if (length is <= 0 or > ControlProtocol.MaxRegionLength)
            return Fail($"REGION length {length} is outside 1..{ControlProtocol.MaxRegionLength}", out error);
        var access = (RegionAccess)BinaryPrimitives.ReadUInt16LittleEndian(source[RegionAccessOffset..]);
        if (access is not (RegionAccess.ReadWrite or RegionAccess.ReadOnly))
            return Fail($"REGION access {(ushort)access} is neither read-write (1) nor read-only (2)", out error);
        message = new RegionMessage(generation, length, access);
        error = "";
        return true;
    }

    private static bool TryDecodeText(MessageType type, ReadOnlySpan<byte> source, out ControlMessage? message, out string error)
    {
        message = null;
        string name = type == MessageType.Bye ? "BYE" : "REFUSE";
        if (source.Length < TextOffset)
            return Fail($"{name} is at least {TextOffset} bytes, got {source.Length}", out error);
        var reason = (ControlReason)BinaryPrimitives.ReadUInt16LittleEndian(source[ReasonOffset..]);
        if (reason == ControlReason.None || !Enum.IsDefined(reason))
            return Fail($"{name} reason {(ushort)reason} is unknown", out error);
        int textLength = BinaryPrimitives.ReadUInt16LittleEndian(source[TextLengthOffset..]);
        if (textLength > ControlProtocol.MaxTextBytes || TextOffset + textLength != source.Length)
            return Fail($"{name} text length {textLength} does not match its {source.Length} bytes (at most {ControlProtocol.MaxTextBytes})", out error);
        var bytes = source.Slice(TextOffset, textLength);
        if (!Utf8.IsValid(bytes))
            return Fail($"{name} text is not valid UTF-8", out error);
        string text = Utf8NoThrow.GetString(bytes);
        foreach (var rune in text.EnumerateRunes())
            if (Rune.IsControl(rune))
                return Fail($"{name} text holds control character U+{rune.Value:X4}", out error);
        message = type == MessageType.Bye ? new ByeMessage(reason, text) : new RefuseMessage(reason, text);
        error = "";
        return true;
    }

    private static bool Fail(string description, out string error)
    {
        error = description;
        return false;
    }
}
