using Ring.Harness.Traffic;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <see cref="PacketStamper.Send"/> through a real queue pair: every size writes the sequence number, the stamp and
/// the template's bytes, and nothing past the packet, whichever path (vectors with the head built in, or the copy
/// and two writes) the size takes; with full verification, the pattern the receiver checks.
/// </summary>
public sealed class PacketStamperTests : IAsyncLifetime
{
    private RegionPair _pair = null!;

    public async Task InitializeAsync() => _pair = await RegionPair.StartAsync(new GuestOptions { RingSize = 64, BufferSize = 2048 });

    public Task DisposeAsync()
    {
        _pair.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(100)]
    [InlineData(256)]
    [InlineData(257)]
    [InlineData(1500)]
    public void Send_EachSize_WritesSequenceStampAndTemplateAndNothingBeyond(int size)
    {
        var device = _pair.DeviceQueue();
        var guest = _pair.GuestQueue();
        // Dirty the buffers first, so a byte the stamper fails to write, or writes past the packet, shows.
        var dirty = new Packet[32];
        int rented = device.Writer.TryRent(dirty);
        Assert.True(rented >= 5, $"only {rented} fill buffers to dirty");
        foreach (var p in dirty.AsSpan(0, rented))
            device.Writer.GetBuffer(p).Fill(0x5c);
        device.Writer.Return(dirty.AsSpan(0, rented));

        var stamper = new PacketStamper(size);
        var burst = new Packet[32];
        ulong sequence = 1000;
        int sent = stamper.Send(device.Writer, burst, 5, ref sequence, stamped: true);
        Assert.Equal(5, sent);
        Assert.Equal(1005UL, sequence);

        var received = new Packet[32];
        int n = guest.Reader.TryReceive(received);
        Assert.Equal(5, n);
        long stamp = BitConverter.ToInt64(guest.Reader.Payload(received[0])[8..16]);
        Assert.NotEqual(0, stamp);
        for (int i = 0; i < n; i++)
        {
            var payload = guest.Reader.Payload(received[i]);
            Assert.Equal(size, payload.Length);
            Assert.Equal(1000UL + (ulong)i, BitConverter.ToUInt64(payload[..8]));
            Assert.Equal(stamp, BitConverter.ToInt64(payload[8..16]));
            Assert.True(payload[16..].IndexOfAnyExcept((byte)0xab) < 0, $"packet {i} of {size} B: a byte after the stamp is not the template's");
            Assert.Equal(0x5c, guest.Writer.GetBuffer(received[i])[size]); // the byte after the packet: untouched
        }
        guest.Reader.Return(received.AsSpan(0, n));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(64)]
    [InlineData(1500)]
    public void Send_FullVerification_EveryPacketMatchesItsPattern(int size)
    {
        var stamper = new PacketStamper(size, Verification.Full);
        var burst = new Packet[32];
        ulong sequence = 7;
        Assert.Equal(4, stamper.Send(_pair.DeviceQueue().Writer, burst, 4, ref sequence, stamped: true));

        var reader = _pair.GuestQueue().Reader;
        var received = new Packet[32];
        int n = reader.TryReceive(received);
        Assert.Equal(4, n);
        var checker = new PacketReceiver(Verification.Full);
        checker.Receive(received.AsSpan(0, n), reader);
        Assert.Equal(0UL, checker.Corrupt);
        Assert.Equal(4UL, checker.Sequence.Received);
        reader.Return(received.AsSpan(0, n));
    }
}
