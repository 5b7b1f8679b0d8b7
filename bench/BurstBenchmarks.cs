using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Ring.Layout;
using Ring.Queues;
using Ring.Region;
using Ring.Rings;

namespace Bench;

/// <summary>
/// The hot path without the second core: one thread plays both sides of queue pair 0 of a real region in
/// /dev/shm, so a benchmark measures the instructions of a burst (descriptor writes, index publishes, validation,
/// buffer state) and not the cache-line transfers between cores that <c>pair</c> measures. Times are per packet
/// (<see cref="BenchmarkAttribute.OperationsPerInvoke"/> is the burst size); the memory diagnoser shows the
/// allocations per burst, which should be 0 B. The baseline is an in-process bounded
/// <see cref="Channel{T}"/> moving the same descriptors, single reader and writer: what the same hand-off costs
/// without shared memory, validation or buffer ownership.
/// </summary>
public class BurstBenchmarks
{
    /// <summary>Packets per burst.</summary>
    public const int Burst = 32;

    private readonly Packet[] _packets = new Packet[Burst];
    private Driver? _driver;
    private Device? _device;
    private readonly Channel<Descriptor> _channel = Channel.CreateBounded<Descriptor>(
        new BoundedChannelOptions(1024) { SingleReader = true, SingleWriter = true });
    private GuestQueue _guest = null!;
    private DeviceQueue _deviceQueue = null!;

    /// <summary>Creates the region and runs the handshake, the device on its own thread as in a real attach.</summary>
    [GlobalSetup]
    public void Start()
    {
        string path = Path.Combine(RegionPath.SharedMemoryDirectory, $"ring-micro-{Environment.ProcessId}");
        var timeout = TimeSpan.FromSeconds(10);
        _driver = Driver.Create(path, RegionGeometry.ForQueues(1, 1024, 2048));
        var attach = Task.Factory.StartNew(() => Device.Attach(path, Features.EndOfStream, timeout),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _driver.Start(Features.EndOfStream, Features.EndOfStream, timeout);
        _device = attach.Result;
        _guest = _driver.Queue(0);
        _deviceQueue = _device.Queue(0);
        // A burst that moves nothing would time an empty call: check that each moves a full burst.
        if (RxBurst() != Burst || TxBurst() != 2 * Burst)
            throw new InvalidOperationException("a warm-up burst did not move a full burst of packets");
    }

    /// <summary>RX, one burst each way: the device takes fill buffers and completes them, the guest receives
    /// them and recycles them onto the fill ring.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public int RxBurst()
    {
        int n = _deviceQueue.TakeRxBuffers(_packets);
        for (int i = 0; i < n; i++)
            _packets[i] = _packets[i].WithLength(64);
        _deviceQueue.CompleteRx(_packets.AsSpan(0, n));
        int received = _guest.ReceiveBurst(_packets);
        _guest.Recycle(_packets.AsSpan(0, received));
        return received;
    }

    /// <summary>TX, one burst each way: the guest allocates and sends, the device takes the packets and
    /// completes them, the guest reaps the completions.</summary>
    [Benchmark(OperationsPerInvoke = Burst)]
    public int TxBurst()
    {
        int n = _guest.AllocateTx(_packets, 64);
        int sent = _guest.SendBurst(_packets.AsSpan(0, n));
        _ = _deviceQueue.ReceiveTx(_packets);
        _deviceQueue.CompleteTx();
        return sent + _guest.ReapTxCompletions();
    }

    /// <summary>Baseline: 32 descriptors written to and read from an in-process bounded channel.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Burst)]
    public int ChannelBurst()
    {
        var writer = _channel.Writer;
        for (int i = 0; i < Burst; i++)
            writer.TryWrite(new Descriptor((ulong)i * 2048, 64, DescriptorFlags.EndOfPacket));
        int read = 0;
        var reader = _channel.Reader;
        while (reader.TryRead(out _))
            read++;
        return read;
    }

    /// <summary>Unmaps both sides; the driver deletes the region file.</summary>
    [GlobalCleanup]
    public void Stop()
    {
        _device?.Dispose();
        _driver?.Dispose();
    }
}
