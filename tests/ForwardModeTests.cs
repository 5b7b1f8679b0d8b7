using Ring.Harness.Net;
using static Ring.Tests.Support.TestFrames;

namespace Ring.Tests;

/// <summary>The io and macswap guest applications: what goes back, in place too, and what they drop.</summary>
public sealed class ForwardModeTests
{
    [Fact]
    public void IoRespond_AnyFrame_SendsItBackUnchanged()
    {
        var io = new IoForward();
        byte[] frame = [1, 2, 3, 4, 5];
        byte[] reply = new byte[64];

        int length = io.Respond(frame, reply, out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        Assert.Equal(frame, reply[..length]);
        Assert.Equal(1, io.Counters.Replied);
    }

    [Fact]
    public void IoRespond_EmptyOrTooLong_DropsWithReason()
    {
        var io = new IoForward();

        Assert.Equal(0, io.Respond([], new byte[64], out var empty));
        Assert.Equal(0, io.Respond(new byte[65], new byte[64], out var tooLong));

        Assert.Equal(FrameDropReason.FrameTooShort, empty);
        Assert.Equal(FrameDropReason.ReplyTooLong, tooLong);
        Assert.Equal(2, io.Counters.Dropped);
    }

    [Fact]
    public void MacSwapRespond_EchoRequest_SwapsAddressesAndKeepsTheRest()
    {
        var macswap = new MacSwapForward();
        byte[] frame = EchoRequest();
        byte[] reply = new byte[frame.Length];

        int length = macswap.Respond(frame, reply, out var reason);

        Assert.Equal(FrameDropReason.None, reason);
        Assert.Equal(frame.Length, length);
        Assert.Equal(frame[6..12], reply[..6]);
        Assert.Equal(frame[..6], reply[6..12]);
        Assert.Equal(frame[12..], reply[12..]);
    }

    [Fact]
    public void MacSwapRespond_InPlace_SwapsAddresses()
    {
        var macswap = new MacSwapForward();
        byte[] frame = EchoRequest();
        byte[] original = (byte[])frame.Clone();

        macswap.Respond(frame, frame, out _);

        Assert.Equal(original[6..12], frame[..6]);
        Assert.Equal(original[..6], frame[6..12]);
    }

    [Fact]
    public void MacSwapRespond_ShorterThanEthernetHeader_DropsAsFrameTooShort()
    {
        var macswap = new MacSwapForward();

        Assert.Equal(0, macswap.Respond(new byte[13], new byte[64], out var reason));
        Assert.Equal(FrameDropReason.FrameTooShort, reason);
        Assert.Equal(1, macswap.Counters[FrameDropReason.FrameTooShort]);
    }
}
