namespace Ring.Tests;

/// <summary>
/// Chained buffers: a frame larger than one buffer crosses the rings as a chain of packets, every one but the last
/// marked <see cref="Packet.ContinuesInNext"/>, and comes out whole, in order, byte for byte, in both directions and
/// across the rings' wrap.
/// </summary>
public sealed class ChainTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly string _name = $"t-{Guid.NewGuid():N}"[..12];
    private Guest _guest = null!;
    private Device _device = null!;

    public async Task InitializeAsync()
    {
        _guest = Guest.Create(_name, new GuestOptions { RingSize = 64, BufferSize = 2048 });
        var attach = Device.AttachAsync(_name).AsTask();
        await _guest.StartAsync();
        _device = await attach;
    }

    public Task DisposeAsync()
    {
        _device.Dispose();
        _guest.Dispose();
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(2049)]
    [InlineData(9000)]
    [InlineData(65536)]
    public void TrySendBytes_FrameLargerThanABuffer_ArrivesWholeAsOneChain(int length)
    {
        var frame = Frame(length, seed: length);
        Assert.True(_device.QueuePairs[0].Writer.TrySend(frame), "the device had no buffers for the frame");

        var received = ReceiveFrames(_guest.QueuePairs[0].Reader, 1);

        Assert.Equal(frame, received[0]);
    }

    [Fact]
    public void TrySendBytes_GuestToDevice_ManyJumboFramesAcrossTheWrap_ArriveInOrder()
    {
        var writer = _guest.QueuePairs[0].Writer;
        var reader = _device.QueuePairs[0].Reader;
        var frames = Enumerable.Range(0, 40).Select(i => Frame(1000 + 397 * i, seed: i)).ToList(); // 1..9 buffers each
        var received = new List<byte[]>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int sent = 0;
        while (received.Count < frames.Count)
        {
            Assert.True(clock.Elapsed < Deadline, $"received {received.Count} of {frames.Count} frames in {Deadline}");
            while (sent < frames.Count && writer.TrySend(frames[sent]))
                sent++;
            received.AddRange(ReceiveAvailable(reader));
        }

        Assert.Equal(frames, received);
        Assert.Equal(0, reader.Counters.Drops);
    }

    [Fact]
    public void TrySendPackets_BurstEndingInsideAFrame_ThrowsAndChangesNothing()
    {
        var writer = _device.QueuePairs[0].Writer;
        Span<Packet> two = stackalloc Packet[2];
        Assert.Equal(2, writer.TryRent(two));
        two[0] = two[0].WithLength(100).WithContinuation(true);
        two[1] = two[1].WithLength(100).WithContinuation(true);
        var copy = two.ToArray();

        Assert.Throws<ArgumentException>(() => writer.TrySend(copy));

        copy[1] = copy[1].WithContinuation(false);
        Assert.Equal(2, writer.TrySend(copy)); // still rented: the failed send changed nothing
        var frames = ReceiveFrames(_guest.QueuePairs[0].Reader, 1);
        Assert.Equal(200, frames[0].Length);
    }

    [Fact]
    public void TryReceive_SpanSmallerThanAWaitingChain_ThrowsNamingMaxChainLength()
    {
        Assert.True(_device.QueuePairs[0].Writer.TrySend(Frame(9000, seed: 1)));
        var reader = _guest.QueuePairs[0].Reader;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Ready(reader))
            Assert.True(clock.Elapsed < Deadline, "the chain never arrived");

        var error = Assert.Throws<ArgumentException>(() => reader.TryReceive(new Packet[2]));

        Assert.Contains("MaxChainLength", error.Message);
        Assert.Single(ReceiveFrames(reader, 1)); // a big enough span then takes it whole
    }

    private static bool Ready(PacketReader reader) => reader.WaitToReceiveAsync().AsTask().Wait(Deadline);

    private static byte[] Frame(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static List<byte[]> ReceiveFrames(PacketReader reader, int count)
    {
        var frames = new List<byte[]>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (frames.Count < count)
        {
            Assert.True(clock.Elapsed < Deadline, $"received {frames.Count} of {count} frames in {Deadline}");
            frames.AddRange(ReceiveAvailable(reader));
        }
        return frames;
    }

    /// <summary>Receives one burst and joins its chains into frames, returning every buffer.</summary>
    private static List<byte[]> ReceiveAvailable(PacketReader reader)
    {
        var packets = new Packet[reader.MaxChainLength];
        int n = reader.TryReceive(packets);
        var frames = new List<byte[]>();
        var frame = new List<byte>();
        for (int i = 0; i < n; i++)
        {
            frame.AddRange(reader.Payload(packets[i]).ToArray());
            if (!packets[i].ContinuesInNext)
            {
                frames.Add([.. frame]);
                frame.Clear();
            }
        }
        Assert.Empty(frame); // a reader hands out only whole chains
        reader.Return(packets.AsSpan(0, n));
        return frames;
    }
}
