using System.Diagnostics;
using Ring.Async;
using Ring.Layout;
using Ring.Queues;
using Ring.Region;
using Ring.Tests.Support;
using Ring.Harness.Traffic;

namespace Ring.Tests;

/// <summary>
/// <see cref="PacketReader"/> over a driver and a device in this process, on a real region under /dev/shm. The
/// driver is started with <c>maySleep: true</c>, so the device rings the reader's doorbell. When the device must
/// act while the reader waits, it runs on its own thread and takes RX buffers, stamps sequence numbers and
/// completes them. Otherwise it runs on the test thread. Every wait has a deadline that fails with a message.
/// There are no timing assertions.
/// </summary>
[Collection(AsyncReaderCollection.Name)]
public sealed class AsyncReaderTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, 256, 64);
    private static readonly PacketStamper Stamper = new(PacketStamper.MinSize);

    private readonly Driver _driver;
    private readonly Device _device;
    private readonly PacketReader _reader;
    private readonly CancellationTokenSource _stopDevice = new();
    private readonly Packet[] _packets = new Packet[Geometry.RingSize];
    private Task _deviceLoop = Task.CompletedTask;

    public AsyncReaderTests()
    {
        (_driver, _device) = StartSleepingPair(Geometry);
        _reader = new PacketReader(_driver);
    }

    public void Dispose()
    {
        // The device thread first, then the reader (its waiter reads the region), then the region itself.
        _stopDevice.Cancel();
        try
        {
            _deviceLoop.Wait(Deadline);
        }
        catch (AggregateException)
        {
            // The test that started the device has already reported its failure.
        }
        _reader.Dispose();
        _device.Dispose();
        _driver.Dispose();
        _stopDevice.Dispose();
    }

    [Fact]
    public void Constructor_DriverStartedWithoutMaySleep_ThrowsInvalidOperation()
    {
        using var polling = RegionPair.Start(Geometry);

        var e = Assert.Throws<InvalidOperationException>(() => new PacketReader(polling.Driver));
        Assert.Contains("maySleep: true", e.Message);
    }

    [Fact]
    public async Task WaitToReceiveAsync_PacketsWaiting_CompletesSynchronously()
    {
        Send(_device.Queue(0), 0, 5, CancellationToken.None);

        var wait = _reader.WaitToReceiveAsync();

        Assert.True(wait.IsCompletedSuccessfully, "packets were waiting, yet the wait did not complete synchronously");
        Assert.True(await wait);
        Assert.Equal(5, _reader.TryReceiveBurst(_packets));
        AssertSequence(_packets.AsSpan(0, 5), 0);
    }

    [Fact]
    public async Task WaitToReceiveAsync_EmptyRing_CompletesWhenDeviceCompletes()
    {
        var sleeper = _driver.Queue(0).Sleeper;
        var wait = _reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");

        StartDevice((queue, stop) =>
        {
            WaitUntil(() => sleeper.Sleeps > 0, "the reader's waiter to sleep on the doorbell", stop);
            Send(queue, 0, 1, stop);
        });

        Assert.True(await Within(wait.AsTask(), "the wait for the device's packet"));
        await Within(_deviceLoop, "the device");
        Assert.True(sleeper.Sleeps > 0 || sleeper.Wakeups > 0, "the reader never slept on its doorbell");
        Assert.Equal(1, _reader.TryReceiveBurst(_packets));
        AssertSequence(_packets.AsSpan(0, 1), 0);
    }

    [Fact]
    public async Task ReadAllAsync_DeviceSends10000ThenEndOfStream_YieldsAllInOrderAndEnds()
    {
        const int Count = 10_000;
        StartDevice((queue, stop) =>
        {
            Send(queue, 0, Count, stop, pauseEvery: 2_500);
            queue.MarkRxEndOfStream();
        });

        var checker = new SequenceChecker();
        using var deadline = new CancellationTokenSource(Deadline);
        try
        {
            await foreach (var burst in _reader.ReadAllAsync(32, deadline.Token))
            {
                Assert.InRange(burst.Count, 1, 32);
                for (int i = 0; i < burst.Count; i++)
                    checker.Check(burst.Payload(i));
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Assert.Fail($"received {checker.Received} of {Count} packets, and no end of stream, within {Deadline.TotalSeconds} s");
        }

        await Within(_deviceLoop, "the device");
        Assert.Equal((ulong)Count, checker.Received);
        Assert.Equal((ulong)Count, checker.Expected);
        Assert.Equal(0UL, checker.Bad);
        Assert.Equal(0UL, checker.Missing);
        Assert.Equal((ulong)Count, _driver.Queue(0).RxCompletionsConsumed);
    }

    [Fact]
    public async Task ReadAllAsync_ConsumerOnlyIterates_RecyclesEveryBuffer()
    {
        // Four rings' worth: the device runs out of buffers unless each burst goes back to the fill ring.
        int count = 4 * Geometry.RingSize;
        StartDevice((queue, stop) =>
        {
            Send(queue, 0, count, stop);
            queue.MarkRxEndOfStream();
        });
        using var deadline = new CancellationTokenSource(Deadline);

        int received = 0;
        await foreach (var burst in _reader.ReadAllAsync(cancellationToken: deadline.Token))
            received += burst.Count;

        await Within(_deviceLoop, "the device");
        Assert.Equal(count, received);
    }

    [Fact]
    public async Task WaitToReceiveAsync_EndOfStreamReceived_ReturnsFalse()
    {
        var device = _device.Queue(0);
        Send(device, 0, 3, CancellationToken.None);
        device.MarkRxEndOfStream();

        Assert.True(await _reader.WaitToReceiveAsync());
        Assert.Equal(3, _reader.TryReceiveBurst(_packets));
        var end = _reader.WaitToReceiveAsync();

        Assert.True(end.IsCompletedSuccessfully, "end of stream was received, yet the wait did not complete synchronously");
        Assert.False(await end);
    }

    [Fact]
    public async Task WaitToReceiveAsync_Cancelled_ThrowsOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var wait = _reader.WaitToReceiveAsync(cancel.Token);
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");

        cancel.Cancel();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(wait.AsTask(), "the cancelled wait"));
        Assert.Equal(cancel.Token, e.CancellationToken);
    }

    [Fact]
    public void WaitToReceiveAsync_AlreadyCancelled_CompletesCanceledSynchronously()
    {
        var wait = _reader.WaitToReceiveAsync(new CancellationToken(canceled: true));

        Assert.True(wait.IsCanceled, "a wait with a cancelled token did not complete as canceled");
    }

    [Fact]
    public async Task WaitToReceiveAsync_AfterCancelledWait_WaitsAgain()
    {
        using var cancel = new CancellationTokenSource();
        var cancelled = _reader.WaitToReceiveAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Within(cancelled.AsTask(), "the cancelled wait"));

        var wait = _reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");
        StartDevice((queue, stop) => Send(queue, 0, 1, stop));

        Assert.True(await Within(wait.AsTask(), "the wait after a cancelled one"));
    }

    [Fact]
    public void WaitToReceiveAsync_SecondWaitWhilePending_ThrowsInvalidOperation()
    {
        _ = _reader.WaitToReceiveAsync();

        Assert.Throws<InvalidOperationException>(() => _reader.WaitToReceiveAsync());
    }

    [Fact]
    public async Task WaitToReceiveAsync_DeviceMarksRegionFailed_ThrowsRingException()
    {
        var wait = _reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");

        _device.Header.SetStatus(DeviceStatus.Failed);

        var e = await Assert.ThrowsAsync<RingException>(() => Within(wait.AsTask(), "the wait on a failed region"));
        Assert.Contains("FAILED", e.Message);
    }

    [Fact]
    public async Task Dispose_WaitPending_FailsWaitWithObjectDisposed()
    {
        var wait = _reader.WaitToReceiveAsync();

        _reader.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Within(wait.AsTask(), "the wait pending at Dispose"));
        Assert.Throws<ObjectDisposedException>(() => _reader.WaitToReceiveAsync());
    }

    [Fact]
    public async Task WaitToReceiveAsync_SteadyState_AllocatesNothingPerWait()
    {
        const int Waits = 1_000, Rounds = 5;
        // The count is process-wide, so the runtime and the test host add background noise on other threads.
        // Measured here it was 0 B per round on an idle box, and a few KB per round under CPU load, where a round
        // takes seconds. Each round is measured on its own and the quietest one is judged. An object allocated
        // per wait is at least 24 B, so at least 24 000 B in every round. The bound is half of that.
        const long Bound = 12_000;
        using var go = new SemaphoreSlim(0);
        // Ping-pong: the device sends one packet only after the reader's wait has gone to the waiter thread, so
        // every wait takes the slow path. Neither side allocates: SemaphoreSlim.Wait(int) takes no token, and
        // the burst is stackalloc'd.
        StartDevice((queue, stop) =>
        {
            for (int i = 0; i < (Rounds + 1) * Waits; i++)
            {
                long since = Stopwatch.GetTimestamp();
                while (!go.Wait(10))
                    ThrowIfStoppedOrLate(stop, since, "the reader's next wait");
                Send(queue, (ulong)i, 1, stop);
            }
        });

        var (allocated, received, synchronous) = await Within(Task.Run(async () =>
        {
            var bytes = new long[Rounds];
            int got = 0, completedAtOnce = 0;
            for (int round = -1; round < Rounds; round++) // round -1 warms up
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Waits; i++)
                {
                    var wait = _reader.WaitToReceiveAsync();
                    if (wait.IsCompleted)
                        completedAtOnce++;
                    go.Release();
                    if (!await wait.ConfigureAwait(false))
                        break;
                    int n = _reader.TryReceiveBurst(_packets);
                    _reader.Recycle(_packets.AsSpan(0, n));
                    got += n;
                }
                if (round >= 0)
                    bytes[round] = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
            return (bytes, got, completedAtOnce);
        }), $"{Rounds + 1} rounds of {Waits} wait/receive cycles");
        await Within(_deviceLoop, "the device");

        Assert.Equal(0, synchronous);
        Assert.Equal((Rounds + 1) * Waits, received);
        Assert.True(allocated.Min() < Bound,
            $"every round of {Waits} waits allocated at least {Bound} B (rounds: {string.Join(", ", allocated)} B)");
    }

    /// <summary>Runs <paramref name="body"/> for the device's queue pair 0 on a thread of its own. Dispose stops it.</summary>
    private void StartDevice(Action<DeviceQueue, CancellationToken> body)
    {
        var queue = _device.Queue(0);
        var stop = _stopDevice.Token;
        _deviceLoop = Task.Factory.StartNew(() => body(queue, stop), CancellationToken.None,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Completes RX packets <paramref name="first"/> .. first + count - 1, stamped with their numbers, in
    /// bursts. Waits for fill buffers when the guest has none posted. Sleeps 20 ms every
    /// <paramref name="pauseEvery"/> packets, so the reader runs dry and sleeps.</summary>
    private static void Send(DeviceQueue queue, ulong first, int count, CancellationToken stop, int pauseEvery = 0)
    {
        Span<Packet> burst = stackalloc Packet[32];
        var pool = queue.Pool;
        ulong next = first, end = first + (ulong)count;
        long since = Stopwatch.GetTimestamp();
        while (next < end)
        {
            int n = queue.TakeRxBuffers(burst[..(int)Math.Min((ulong)burst.Length, end - next)]);
            for (int i = 0; i < n; i++)
            {
                Stamper.Write(pool.Payload(burst[i]), next + (ulong)i, Stopwatch.GetTimestamp());
                burst[i] = burst[i].WithLength(Stamper.Size);
            }
            queue.CompleteRx(burst[..n]);
            if (n == 0)
            {
                stop.ThrowIfCancellationRequested();
                if (Stopwatch.GetElapsedTime(since) > Deadline)
                    throw new TimeoutException($"device: no RX buffers for {Deadline.TotalSeconds} s after sending {next - first} of {count} packets");
                Thread.Yield();
                continue;
            }
            ulong before = next - first;
            next += (ulong)n;
            since = Stopwatch.GetTimestamp();
            if (pauseEvery != 0 && before / (ulong)pauseEvery != (next - first) / (ulong)pauseEvery)
                Thread.Sleep(20);
        }
    }

    private static void WaitUntil(Func<bool> condition, string what, CancellationToken stop)
    {
        long since = Stopwatch.GetTimestamp();
        while (!condition())
        {
            ThrowIfStoppedOrLate(stop, since, what);
            Thread.Sleep(1);
        }
    }

    private static void ThrowIfStoppedOrLate(CancellationToken stop, long since, string waitingFor)
    {
        stop.ThrowIfCancellationRequested();
        if (Stopwatch.GetElapsedTime(since) > Deadline)
            throw new TimeoutException($"device: waited {Deadline.TotalSeconds} s for {waitingFor}");
    }

    private void AssertSequence(ReadOnlySpan<Packet> packets, ulong first)
    {
        var checker = new SequenceChecker { Expected = first };
        foreach (var p in packets)
            checker.Check(_reader.Pool.Payload(p));
        Assert.Equal(first + (ulong)packets.Length, checker.Expected);
        Assert.Equal(0UL, checker.Bad + checker.Missing);
    }

    private static async Task<T> Within<T>(Task<T> task, string what)
    {
        await Within((Task)task, what);
        return await task;
    }

    private static async Task Within(Task task, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(Deadline)) != task)
            Assert.Fail($"{what} did not finish within {Deadline.TotalSeconds} s");
        await task;
    }

    /// <summary>
    /// As <see cref="RegionPair.Start"/>, but the driver declares that it may sleep: the device then rings its
    /// doorbell, which is what the reader waits on. The device only polls.
    /// </summary>
    private static (Driver, Device) StartSleepingPair(RegionGeometry geometry)
    {
        var driver = RegionPair.CreateDriver(geometry);
        string path = driver.Path;
        // A dedicated thread: the attach blocks while it waits for the driver, so it must not hold a pool thread.
        var attach = Task.Factory.StartNew(() => Device.Attach(path, Features.EndOfStream, RegionPair.Deadline),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            driver.Start(Features.EndOfStream, Features.EndOfStream, RegionPair.Deadline, maySleep: true);
            if (!attach.Wait(RegionPair.Deadline))
                throw new TimeoutException($"device did not attach to {path} within {RegionPair.Deadline.TotalSeconds} s");
            return (driver, attach.Result);
        }
        catch
        {
            attach.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                    t.Result.Dispose();
            }, TaskScheduler.Default);
            driver.Dispose();
            throw;
        }
    }
}

/// <summary>
/// The async reader's tests run alone. The steady-state allocation test counts every thread's allocations, so no
/// other collection may run while it does.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AsyncReaderCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "async reader";
}
