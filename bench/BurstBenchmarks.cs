using System.Buffers.Binary;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Ring;

namespace Bench;

/// <summary>
/// The hot path without the second core: one thread plays both sides of queue pair 0 of a real region in
/// /dev/shm, through the public API, so a benchmark measures the instructions of a burst (descriptor writes,
/// generation checks, validation, buffer state) and not the cache-line transfers between cores that <c>pair</c>
/// measures. Times are per packet (<see cref="BenchmarkAttribute.OperationsPerInvoke"/> is the burst size); the
/// memory diagnoser shows the allocations per burst, which should be 0 B. The baseline is an in-process bounded
/// <see cref="Channel{T}"/> moving the same packets, single reader and writer: what the same hand-off costs
/// without shared memory, validation or buffer ownership. <see cref="RoundTrip"/> is one ping of <c>rtt</c> (the
/// device sends one packet, the guest forwards it in place, the device receives it and returns the buffer): the
/// software a round trip runs, which <c>rtt</c>'s p50 adds to two cache-line transfers; its baseline is the same
/// ping-pong through two in-process channels.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BurstBenchmarks
{
    /// <summary>Packets per burst.</summary>
    public const int Burst = 32;

    private readonly Packet[] _packets = new Packet[Burst];
    private readonly Channel<Packet> _channel = Channel.CreateBounded<Packet>(
        new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    private readonly Channel<Packet> _echoes = Channel.CreateBounded<Packet>(
        new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    private ulong _sequence;
    private Guest? _guest;
    private Device? _device;
    private QueuePair _guestQueue = null!;
    private QueuePair _deviceQueue = null!;

    /// <summary>Creates the region and runs the handshake, the device on its own task as in a real attach.</summary>
    [GlobalSetup]
    public void Start()
    {
        string name = $"micro-{Environment.ProcessId}";
        _guest = Guest.Create(name);
        var attach = Device.AttachAsync(name).AsTask();
        _guest.StartAsync().AsTask().GetAwaiter().GetResult();
        _device = attach.GetAwaiter().GetResult();
        _guestQueue = _guest.QueuePairs[0];
        _deviceQueue = _device.QueuePairs[0];
        // A burst that moves nothing would time an empty call: check that each moves a full burst.
        if (RxBurst() != Burst || TxBurst() != Burst)
            throw new InvalidOperationException("a warm-up burst did not move a full burst of packets");
        for (int i = 0; i < 4 * 1024; i++) // laps of every ring: the forwarded buffers come home through completions
        {
            if (RoundTrip() != _sequence - 1)
                throw new InvalidOperationException($"round trip {i} did not bring its ping back");
        }
    }

    /// <summary>RX, one burst each way: the device rents fill buffers and sends them, the guest receives them and
    /// returns them to the fill ring.</summary>
    [Benchmark(OperationsPerInvoke = Burst), BenchmarkCategory("burst")]
    public int RxBurst()
    {
        var writer = _deviceQueue.Writer;
        int n = writer.TryRent(_packets);
        for (int i = 0; i < n; i++)
            _packets[i] = _packets[i].WithLength(64);
        writer.TrySend(_packets.AsSpan(0, n));
        var reader = _guestQueue.Reader;
        int received = reader.TryReceive(_packets);
        reader.Return(_packets.AsSpan(0, received));
        return received;
    }

    /// <summary>TX, one burst each way: the guest rents and sends, the device receives the packets and returns
    /// them, the guest's next rent reaps the completions.</summary>
    [Benchmark(OperationsPerInvoke = Burst), BenchmarkCategory("burst")]
    public int TxBurst()
    {
        var writer = _guestQueue.Writer;
        int n = writer.TryRent(_packets);
        for (int i = 0; i < n; i++)
            _packets[i] = _packets[i].WithLength(64);
        writer.TrySend(_packets.AsSpan(0, n));
        var reader = _deviceQueue.Reader;
        int received = reader.TryReceive(_packets);
        reader.Return(_packets.AsSpan(0, received));
        return received;
    }

    /// <summary>Baseline: 32 packets written to and read from an in-process bounded channel.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Burst), BenchmarkCategory("burst")]
    public int ChannelBurst()
    {
        var writer = _channel.Writer;
        for (int i = 0; i < Burst; i++)
            writer.TryWrite(_packets[i]);
        int read = 0;
        var reader = _channel.Reader;
        while (reader.TryRead(out _))
            read++;
        return read;
    }

    /// <summary>One ping, as <c>rtt</c> runs it on two cores: the device rents a fill buffer, writes a sequence
    /// number into it and sends it; the guest receives it and forwards it in its own buffer (<c>--echo</c>); the
    /// device receives the echo, reads the number and returns the buffer. Returns the number that came back.</summary>
    [Benchmark, BenchmarkCategory("round trip")]
    public ulong RoundTrip()
    {
        var ping = _packets.AsSpan(0, 1);
        var device = _deviceQueue;
        if (device.Writer.TryRent(ping) != 1)
            throw new InvalidOperationException("no fill buffer for the ping");
        BinaryPrimitives.WriteUInt64LittleEndian(device.Writer.GetBuffer(ping[0]), _sequence++);
        ping[0] = ping[0].WithLength(64);
        device.Writer.TrySend(ping);
        var guest = _guestQueue;
        if (guest.Reader.TryReceive(ping) != 1 || guest.Forward(ping) != 1)
            throw new InvalidOperationException("the guest did not forward the ping");
        if (device.Reader.TryReceive(ping) != 1)
            throw new InvalidOperationException("the echo did not come back");
        ulong echoed = BinaryPrimitives.ReadUInt64LittleEndian(device.Reader.Payload(ping[0]));
        device.Reader.Return(ping);
        return echoed;
    }

    /// <summary>Baseline: one packet to and back through two in-process channels.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("round trip")]
    public bool ChannelRoundTrip()
    {
        _channel.Writer.TryWrite(_packets[0]);
        _channel.Reader.TryRead(out var ping);
        _echoes.Writer.TryWrite(ping);
        return _echoes.Reader.TryRead(out _);
    }

    /// <summary>Unmaps both sides; the guest deletes the region file.</summary>
    [GlobalCleanup]
    public void Stop()
    {
        _device?.Dispose();
        _guest?.Dispose();
    }
}
