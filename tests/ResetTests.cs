using System.Diagnostics;

namespace Ring.Tests;

/// <summary>
/// <see cref="Guest.ResetAsync"/>: after its device left or died, a guest takes back every buffer that was with the
/// device, opens a new session and runs with a new device, on the same queue pairs, with the pool's accounting exact.
/// </summary>
public sealed class ResetTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ResetAsync_AfterTheDeviceLeft_NewDeviceDeliversAndEveryBufferIsAccounted()
    {
        string name = $"t-{Guid.NewGuid():N}"[..12];
        var options = new GuestOptions { RingSize = 64, BufferSize = 256, AttachTimeout = Deadline };
        using var guest = Guest.Create(name, options);
        var first = Device.AttachAsync(name, new DeviceOptions { AttachTimeout = Deadline }).AsTask();
        await guest.StartAsync();
        var device = await first;

        var reader = guest.QueuePairs[0].Reader;
        var held = new Packet[8];
        Send(device, 20);
        Assert.Equal(8, ReceiveInto(reader, held)); // the application keeps these across the reset
        device.Dispose(); // left, with 12 packets sent but not received and the rest of its buffers posted
        await Assert.ThrowsAsync<RingException>(() => DrainUntilEnd(reader));

        var second = Device.AttachAsync(name, new DeviceOptions { AttachTimeout = Deadline }).AsTask();
        await guest.ResetAsync();
        using var device2 = await second;

        Assert.Equal(options.RingSize, guest.LastReset.PostedBuffers); // a ring's worth was with the device, and came back
        Assert.Equal(0, guest.LastReset.InFlightBuffers);
        Assert.Equal(8, reader.Counters.Held); // the application's buffers stayed its own
        reader.Return(held);
        var drained = Task.Run(() => DrainUntilEnd(reader));
        Send(device2, 100);
        device2.QueuePairs[0].Writer.Complete();
        int received = await drained;
        Assert.Equal(100, received);
        Assert.Equal(0, reader.Counters.Drops);
    }

    private static void Send(Device device, int count)
    {
        var writer = device.QueuePairs[0].Writer;
        var clock = Stopwatch.StartNew();
        for (int sent = 0; sent < count;)
        {
            Assert.True(clock.Elapsed < Deadline, $"sent {sent} of {count}");
            if (writer.TrySend(BitConverter.GetBytes((long)sent)))
                sent++;
        }
    }

    private static int ReceiveInto(PacketReader reader, Packet[] into)
    {
        var clock = Stopwatch.StartNew();
        int n = 0;
        while (n < into.Length)
        {
            Assert.True(clock.Elapsed < Deadline, $"received {n} of {into.Length}");
            n += reader.TryReceive(into.AsSpan(n));
        }
        return n;
    }

    private static async Task<int> DrainUntilEnd(PacketReader reader)
    {
        int count = 0;
        using var cancel = new CancellationTokenSource(Deadline);
        await foreach (var burst in reader.ReceiveAllAsync(cancellationToken: cancel.Token))
            count += burst.Count;
        return count;
    }
}
