using System.Buffers.Binary;
using CsCheck;
using Ring.Control;

namespace Ring.Tests;

/// <summary>
/// The control messages' codec: what we encode decodes to the same message, and every malformed input (random
/// bytes, a valid message with any field broken) is refused with a reason and one line, never an exception.
/// </summary>
public sealed class MessageCodecTests
{
    private static readonly ControlMessage[] Messages =
    [
        new HelloMessage(PeerRole.Device, 4242),
        new HelloMessage(PeerRole.Observer, int.MaxValue),
        new RegionMessage(1, 4096, RegionAccess.ReadWrite),
        new RegionMessage(ulong.MaxValue, ControlProtocol.MaxRegionLength, RegionAccess.ReadOnly),
        new RefuseMessage(ControlReason.DeviceAlreadyAttached, "a device is already attached (pid 7)"),
        new ByeMessage(ControlReason.Stopping, ""),
        new ByeMessage(ControlReason.GuestShuttingDown, "arrêt demandé ✓"),
    ];

    public static TheoryData<int> MessageIndexes() => [.. Enumerable.Range(0, Messages.Length)];

    [Theory]
    [MemberData(nameof(MessageIndexes))]
    public void Encode_AnyMessage_DecodesToTheSame(int index)
    {
        var message = Messages[index];
        var bytes = Encode(message);

        Assert.True(MessageCodec.TryDecode(bytes, out var decoded, out _, out string error), error);
        Assert.Equal(message, decoded);
        Assert.InRange(bytes.Length, MessageLayout.HeaderLength, ControlProtocol.MaxMessageLength);
    }

    [Fact]
    public void Layout_Sizes_AreTheDocumentedOnes()
    {
        Assert.Equal(8, MessageLayout.HeaderLength);
        Assert.Equal(16, MessageLayout.HelloLength);
        Assert.Equal(26, MessageLayout.RegionLength);
        Assert.Equal(12, MessageLayout.TextOffset);
        Assert.Equal("RCTL"u8.ToArray(), Encode(new ByeMessage(ControlReason.Stopping, ""))[..4]);
    }

    [Fact]
    public void Encode_TextWithControlCharactersAndTooLong_SentAsOneLineWithinTheLimit()
    {
        string text = "line one\nline two\u001b[31m" + new string('é', 300);

        var decoded = Decode(Encode(new ByeMessage(ControlReason.Stopping, text)));

        var bye = Assert.IsType<ByeMessage>(decoded);
        Assert.StartsWith("line one?line two?[31mé", bye.Text);
        Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(bye.Text), ControlProtocol.MaxTextBytes - 1, ControlProtocol.MaxTextBytes);
    }

    [Fact]
    public void TryDecode_ShorterThanTheHeader_FailsAsBadMessage() =>
        AssertRefused([0x52, 0x43, 0x54], ControlReason.BadMessage, "message of 3 bytes is shorter than the 8-byte header");

    [Fact]
    public void TryDecode_WrongMagic_FailsNamingIt()
    {
        var bytes = Encode(new HelloMessage(PeerRole.Device, 1));
        bytes[0] ^= 0xFF;

        AssertRefused(bytes, ControlReason.BadMessage, "bad magic 0x4c5443ad (expected 0x4c544352)");
    }

    [Fact]
    public void TryDecode_DeclaredLengthDiffersFromReceived_Fails()
    {
        var bytes = Encode(new HelloMessage(PeerRole.Device, 1));

        AssertRefused(bytes[..15], ControlReason.BadMessage, "header says 16 bytes, message has 15");
    }

    [Fact]
    public void TryDecode_UnknownType_Fails()
    {
        var bytes = Encode(new HelloMessage(PeerRole.Device, 1));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(MessageLayout.TypeOffset), 77);

        AssertRefused(bytes, ControlReason.BadMessage, "unknown message type 77");
    }

    [Fact]
    public void TryDecode_HelloOfAnotherVersionAndLength_FailsAsVersionMismatch()
    {
        var bytes = new byte[24];
        Encode(new HelloMessage(PeerRole.Device, 1)).CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(MessageLayout.LengthOffset), 24);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(MessageLayout.HelloVersionOffset), 3);

        AssertRefused(bytes, ControlReason.VersionMismatch, "peer speaks control protocol version 3, this side 1");
    }

    [Theory]
    [InlineData(MessageLayout.HelloRoleOffset, 0, "HELLO role 0 is neither device (1) nor observer (2)")]
    [InlineData(MessageLayout.HelloRoleOffset, 3, "HELLO role 3 is neither device (1) nor observer (2)")]
    public void TryDecode_HelloWithABadRole_Fails(int offset, ushort value, string error)
    {
        var bytes = Encode(new HelloMessage(PeerRole.Device, 1));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(offset), value);

        AssertRefused(bytes, ControlReason.BadMessage, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void TryDecode_HelloWithANonPositivePid_Fails(int pid) =>
        AssertRefused(Encode(new HelloMessage(PeerRole.Device, pid)), ControlReason.BadMessage, $"HELLO pid {pid} is not a pid");

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(ControlProtocol.MaxRegionLength + 1)]
    public void TryDecode_RegionLengthOutOfRange_Fails(long length) =>
        AssertRefused(Encode(new RegionMessage(1, length, RegionAccess.ReadWrite)), ControlReason.BadMessage,
            $"REGION length {length} is outside 1..{ControlProtocol.MaxRegionLength}");

    [Fact]
    public void TryDecode_RegionWithUnknownAccess_Fails() =>
        AssertRefused(Encode(new RegionMessage(1, 4096, (RegionAccess)9)), ControlReason.BadMessage,
            "REGION access 9 is neither read-write (1) nor read-only (2)");

    [Theory]
    [InlineData((ushort)0)]
    [InlineData((ushort)999)]
    public void TryDecode_ByeWithAnUnknownReason_Fails(ushort reason) =>
        AssertRefused(Encode(new ByeMessage((ControlReason)reason, "x")), ControlReason.BadMessage, $"BYE reason {reason} is unknown");

    [Fact]
    public void TryDecode_TextLengthBeyondTheMessage_Fails()
    {
        var bytes = Encode(new RefuseMessage(ControlReason.WrongUid, "abc"));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(MessageLayout.TextLengthOffset), 4);

        AssertRefused(bytes, ControlReason.BadMessage, "REFUSE text length 4 does not match its 15 bytes (at most 200)");
    }

    [Fact]
    public void TryDecode_TextNotUtf8_Fails()
    {
        var bytes = Encode(new ByeMessage(ControlReason.Stopping, "abc"));
        bytes[MessageLayout.TextOffset + 1] = 0xC3; // a lead byte followed by 'c'

        AssertRefused(bytes, ControlReason.BadMessage, "BYE text is not valid UTF-8");
    }

    [Fact]
    public void TryDecode_TextWithANewline_Fails()
    {
        var bytes = Encode(new ByeMessage(ControlReason.Stopping, "abc"));
        bytes[MessageLayout.TextOffset + 1] = (byte)'\n';

        AssertRefused(bytes, ControlReason.BadMessage, "BYE text holds control character U+000A");
    }

    [Fact]
    public void TryDecode_RandomBytes_NeverThrowsAndAlwaysExplains() =>
        Gen.Byte.Array[0, ControlProtocol.MaxMessageLength].Sample(bytes =>
        {
            if (!MessageCodec.TryDecode(bytes, out var message, out var problem, out string error))
                return message is null && problem != ControlReason.None && error.Length > 0 && !error.Contains('\n');
            return message is not null;
        });

    [Fact]
    public void TryDecode_ValidMessageWithOneByteChanged_NeverThrowsAndDecodesOnlyValidFields() =>
        Gen.Select(Gen.Int[0, Messages.Length - 1], Gen.Int[0, 255], Gen.Byte).Sample((which, position, value) =>
        {
            var bytes = Encode(Messages[which]);
            bytes[position % bytes.Length] = value;
            if (!MessageCodec.TryDecode(bytes, out var message, out _, out string error))
                return error.Length > 0;
            // Whatever decodes re-encodes to the same bytes: no field was accepted that we would not send.
            return Encode(message!).AsSpan().SequenceEqual(bytes);
        });

    private static byte[] Encode(ControlMessage message)
    {
        var buffer = new byte[ControlProtocol.MaxMessageLength];
        return buffer[..MessageCodec.Encode(message, buffer)];
    }

    private static ControlMessage Decode(byte[] bytes)
    {
        Assert.True(MessageCodec.TryDecode(bytes, out var message, out _, out string error), error);
        return message!;
    }

    private static void AssertRefused(byte[] bytes, ControlReason reason, string error)
    {
        Assert.False(MessageCodec.TryDecode(bytes, out var message, out var problem, out string actual));
        Assert.Null(message);
        Assert.Equal(reason, problem);
        Assert.Equal(error, actual);
    }
}
