using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// <see cref="QueuePair.Forward"/>: the guest sends received packets back out in their own RX buffers. The device
/// gets the same buffers with the bytes (and lengths) the guest left in them, the buffers come home to RX when the
/// device completes them, and nothing is lost over many laps of every ring.
/// </summary>
public sealed class ForwardTests : IAsyncLifetime
{
    private const int RingSize = 64;
    private RegionPair _pair = null!;
    private readonly Packet[] _burst = new Packet[RingSize];

    public async Task InitializeAsync() => _pair = await RegionPair.StartAsync(new GuestOptions { RingSize = RingSize, BufferSize = 2048 });

    public Task DisposeAsync()
    {
        _pair.Dispose();
        return Task.CompletedTask;
    }

    private QueuePair Guest => _pair.GuestQueue();
    private QueuePair Device => _pair.DeviceQueue();

    [Fact]
    public void Forward_ReceivedPackets_DeviceGetsTheSameBuffersWithTheBytesTheGuestLeftThere()
    {
        SendFromDevice(first: 0, count: 8);
        int n = ReceiveOnGuest(8);
        var received = _burst[..n];
        // Rewrite one in place and shorten it, as macswap or icmpecho would; send the others untouched.
        Guest.Writer.GetBuffer(received[3])[0] = 0xEE;
        received[3] = received[3].WithLength(20);

        Assert.Equal(8, Guest.Forward(received));

        var got = ReceiveOnDevice(8);
        Assert.Equal(received.Select(p => p.Offset), got.Select(p => p.Offset));
        Assert.Equal(20, got[3].Length);
        Assert.Equal(0xEE, Device.Reader.Payload(got[3])[0]);
        for (int i = 0; i < 8; i++)
            if (i != 3)
                Assert.Equal((ulong)i, BitConverter.ToUInt64(Device.Reader.Payload(got[i])));
        Device.Reader.Return(got);
        Assert.Equal(0, Guest.Reader.Counters.Held);
        Assert.Equal(8, Guest.Writer.Counters.Packets);
    }

    [Fact]
    public void Forward_ManyLapsOfEveryRing_LosesNoBufferAndKeepsTheOrder()
    {
        const int Rounds = 40 * RingSize; // many laps of the fill, completion, TX and TX completion rings
        ulong next = 0, expected = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (expected < Rounds)
        {
            Assert.True(clock.Elapsed < Support.Deadline.Default, $"{expected} of {Rounds} packets forwarded in {Support.Deadline.Default}");
            int sent = SendFromDevice(next, (int)Math.Min(32, Rounds - next));
            next += (ulong)sent;
            int n = Guest.Reader.TryReceive(_burst);
            for (int forwarded = 0; forwarded < n;)
                forwarded += Guest.Forward(_burst.AsSpan(forwarded, n - forwarded)); // the device completes below
            var got = new Packet[RingSize];
            int m = Device.Reader.TryReceive(got);
            foreach (var p in got[..m])
                Assert.Equal(expected++, BitConverter.ToUInt64(Device.Reader.Payload(p)));
            Device.Reader.Return(got.AsSpan(0, m));
        }
        // Every RX buffer is back: posted to the device or free, none held, none lost.
        Assert.Equal(0, Guest.Reader.Counters.Held);
        Assert.Equal(Rounds, Guest.Writer.Counters.Packets);
        Assert.Equal(0, Guest.Writer.Counters.Drops);
    }

    [Theory]
    [InlineData(WaitMode.Poll)]
    [InlineData(WaitMode.Event)]
    public async Task Forward_OnlyARingsWorthOfRxBuffers_NeverStallsAndLosesNothing(WaitMode mode)
    {
        // Every RX buffer can be out on the TX ring at once: the guest must reap them home though it has nothing
        // left to receive, and, sleeping, must wake for them.
        using var pair = await RegionPair.StartAsync(new GuestOptions { RingSize = 16, BuffersPerRing = 16, WaitMode = mode });
        const int Count = 4000;
        var guest = pair.GuestQueue();
        var forwarding = Support.Deadline.Run(() =>
        {
            var burst = new Packet[16];
            while (true)
            {
                int n = guest.Reader.TryReceive(burst);
                if (n == 0 && guest.Reader.Completion.IsCompleted)
                    return;
                for (int sent = 0; sent < n;)
                {
                    int m = guest.Forward(burst.AsSpan(sent, n - sent));
                    sent += m;
                    guest.Idle(m);
                }
                guest.Idle(n);
            }
        });
        var device = pair.DeviceQueue();
        var got = new Packet[16];
        ulong sentCount = 0, expected = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (expected < Count)
        {
            Assert.True(clock.Elapsed < Support.Deadline.Default, $"{expected} of {Count} packets came back in {Support.Deadline.Default} ({mode})");
            Assert.False(forwarding.IsFaulted, forwarding.Exception?.ToString());
            if (sentCount < Count && device.Writer.TrySend(BitConverter.GetBytes(sentCount)))
                sentCount++;
            int m = device.Reader.TryReceive(got);
            foreach (var p in got[..m])
                Assert.Equal(expected++, BitConverter.ToUInt64(device.Reader.Payload(p)));
            device.Reader.Return(got.AsSpan(0, m));
        }
        device.Writer.Complete();
        Support.Deadline.Join(forwarding, "the forwarding loop");
        Assert.Equal(0, guest.Reader.Counters.Drops);
    }

    [Fact]
    public void Forward_MoreThanTheTxRingHasRoomFor_SendsWhatFitsAndTheRestStaysTheApplications()
    {
        // A ring's worth in flight with the device, which completes none of them.
        int forwarded = 0;
        while (forwarded < RingSize)
        {
            SendFromDevice((ulong)forwarded, Math.Min(32, RingSize - forwarded));
            int n = ReceiveOnGuest(Math.Min(32, RingSize - forwarded));
            Assert.Equal(n, Guest.Forward(_burst.AsSpan(0, n)));
            forwarded += n;
        }
        SendFromDevice(RingSize, 4);
        int more = ReceiveOnGuest(4);

        Assert.Equal(0, Guest.Forward(_burst.AsSpan(0, more)));

        Guest.Reader.Return(_burst.AsSpan(0, more)); // still the application's
        var got = ReceiveOnDevice(RingSize);
        Device.Reader.Return(got); // completions: room again
        SendFromDevice(RingSize + 4, 4);
        more = ReceiveOnGuest(4);
        Assert.Equal(4, Guest.Forward(_burst.AsSpan(0, more)));
    }

    [Fact]
    public void Forward_APacketTheApplicationDoesNotHold_ThrowsAndChangesNothing()
    {
        SendFromDevice(0, 2);
        int n = ReceiveOnGuest(2);
        var good = _burst[0];
        var returned = _burst[1];
        Guest.Reader.Return([returned]);
        Assert.Equal(1, Guest.Writer.TryRent(_burst.AsSpan(0, 1)));
        var rented = _burst[0];

        Assert.Throws<InvalidOperationException>(() => Guest.Forward([good, returned]));
        Assert.Throws<InvalidOperationException>(() => Guest.Forward([rented])); // a TX buffer goes with TrySend
        Assert.Throws<ArgumentOutOfRangeException>(() => Guest.Forward([good.WithLength(4096)]));

        Assert.Equal(1, Guest.Reader.Counters.Held); // good is still held: forward it after all
        Assert.Equal(1, Guest.Forward([good]));
        Assert.Throws<InvalidOperationException>(() => Guest.Forward([good])); // twice
        Assert.Throws<InvalidOperationException>(() => Guest.Reader.Return([good])); // no longer the application's
        Assert.Equal(2, n);
    }

    [Fact]
    public void Forward_OnADevice_ThrowsInvalidOperation()
    {
        SendFromGuest(1);
        var got = ReceiveOnDevice(1);

        Assert.Throws<InvalidOperationException>(() => Device.Forward(got));
    }

    [Fact]
    public async Task ResetAsync_ForwardedBuffersWithTheDevice_ComeBackAndAreCountedInFlight()
    {
        SendFromDevice(0, 5);
        int n = ReceiveOnGuest(5);
        Assert.Equal(5, Guest.Forward(_burst.AsSpan(0, n)));
        _ = ReceiveOnDevice(5); // the device holds them and never completes

        _pair.Device.Dispose();
        var second = Ring.Device.AttachAsync(_pair.Name, new DeviceOptions { AttachTimeout = Support.Deadline.Default }).AsTask();
        await Support.Deadline.Within(_pair.Guest.ResetAsync().AsTask(), "the reset");
        using var device = await Support.Deadline.Within(second, "the second device's attach");

        Assert.Equal(5, _pair.Guest.LastReset.InFlightBuffers);
        Assert.Equal(0, Guest.Reader.Counters.Held);
        // Every RX buffer serves the new session: four pools' worth through the rings, none dropped.
        var writer = device.QueuePairs[0].Writer;
        for (int i = 0; i < 4 * 4 * RingSize; i++)
        {
            Support.Deadline.Until(() => writer.TrySend(BitConverter.GetBytes((long)i)) || DrainGuest() < 0, $"room for packet {i}");
            DrainGuest();
        }
        Assert.Equal(0, Guest.Reader.Counters.Drops);
    }

    private int DrainGuest()
    {
        int n = Guest.Reader.TryReceive(_burst);
        Guest.Reader.Return(_burst.AsSpan(0, n));
        return n;
    }

    private int SendFromDevice(ulong first, int count)
    {
        int rented = Device.Writer.TryRent(_burst.AsSpan(0, count));
        for (int i = 0; i < rented; i++)
        {
            BitConverter.TryWriteBytes(Device.Writer.GetBuffer(_burst[i]), first + (ulong)i);
            _burst[i] = _burst[i].WithLength(64);
        }
        Device.Writer.TrySend(_burst.AsSpan(0, rented));
        return rented;
    }

    private void SendFromGuest(int count)
    {
        int rented = Guest.Writer.TryRent(_burst.AsSpan(0, count));
        for (int i = 0; i < rented; i++)
            _burst[i] = _burst[i].WithLength(64);
        Guest.Writer.TrySend(_burst.AsSpan(0, rented));
    }

    private int ReceiveOnGuest(int count)
    {
        int n = 0;
        Support.Deadline.Until(() => (n += Guest.Reader.TryReceive(_burst.AsSpan(n, count - n))) == count, $"{count} packets on the guest");
        return n;
    }

    private Packet[] ReceiveOnDevice(int count)
    {
        var got = new Packet[count];
        int n = 0;
        Support.Deadline.Until(() => (n += Device.Reader.TryReceive(got.AsSpan(n))) == count, $"{count} packets on the device");
        return got;
    }
}
