using System.Diagnostics;
using Ring.Harness.Traffic;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The asynchronous side of the API (<see cref="PacketReader.WaitToReceiveAsync"/>, <see cref="PacketReader.ReceiveAllAsync"/>,
/// <see cref="PacketReader.Completion"/>, <see cref="PacketWriter.WaitToSendAsync"/>) on a real guest and device in
/// this process. One contract, run against every wait mode, as Channels' <c>ChannelTestBase</c> runs one against
/// every channel: <see cref="PollAsyncTests"/>, <see cref="EventAsyncTests"/>, <see cref="HybridAsyncTests"/>. When the
/// device must act while the guest waits, it runs on a thread of its own. Every wait has a deadline that fails with
/// a message; there are no timing assertions.
/// </summary>
[Collection(AsyncCollection.Name)]
public abstract class AsyncTests : IAsyncLifetime
{
    private const int RingSize = 256;
    private static readonly int Buffers = GuestOptions.DefaultBuffersPerRing(RingSize); // per direction: the default, four rings' worth
    private static readonly PacketStamper Stamper = new(PacketStamper.MinSize);

    private readonly CancellationTokenSource _stopDevice = new();
    private readonly Packet[] _packets = new Packet[RingSize];
    private Task _deviceLoop = Task.CompletedTask;
    private RegionPair? _pair;

    /// <summary>How both sides wait.</summary>
    protected abstract WaitMode Mode { get; }

    private RegionPair Pair => _pair ?? throw new InvalidOperationException("not started");
    private PacketReader Reader => Pair.GuestQueue().Reader;
    private PacketWriter Writer => Pair.GuestQueue().Writer;

    public async Task InitializeAsync() =>
        _pair = await RegionPair.StartAsync(new GuestOptions { RingSize = RingSize, BufferSize = 64, WaitMode = Mode },
            new DeviceOptions { WaitMode = Mode });

    public Task DisposeAsync()
    {
        // The device thread first, then the pair (a waiter thread reads the region until the pair stops it).
        _stopDevice.Cancel();
        ((IAsyncResult)_deviceLoop).AsyncWaitHandle.WaitOne(Deadline.Default);
        _pair?.Dispose();
        _stopDevice.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task WaitToReceiveAsync_PacketsWaiting_CompletesSynchronouslyWithTrue()
    {
        Send(Pair.DeviceQueue().Writer, 0, 5, CancellationToken.None);

        var wait = Reader.WaitToReceiveAsync();

        Assert.True(wait.IsCompletedSuccessfully, "packets were waiting, yet the wait did not complete synchronously");
        Assert.True(await wait);
        Assert.Equal(5, Reader.TryReceive(_packets));
        AssertSequence(_packets.AsSpan(0, 5), 0);
    }

    [Fact]
    public async Task WaitToReceiveAsync_EmptyRing_CompletesWithTrueWhenTheDeviceSends()
    {
        var wait = Reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");

        StartDevice((queue, stop) =>
        {
            // Sleeping now: a sleep that already ended (a hybrid sleep times out to check on the peer) would let the
            // packet arrive while the waiter polls, woken by nobody.
            if (Mode != WaitMode.Poll)
                WaitUntil(() => Pair.GuestQueue().Side.Sleeper.Announced, "the guest's waiter to sleep on its doorbell", stop);
            Send(queue.Writer, 0, 1, stop);
        });

        Assert.True(await Deadline.Within(wait, "the wait for the device's packet"));
        await Deadline.Within(_deviceLoop, "the device");
        Assert.Equal(1, Reader.TryReceive(_packets));
        AssertSequence(_packets.AsSpan(0, 1), 0);
        if (Mode != WaitMode.Poll)
            Assert.True(Pair.GuestQueue().SleepCounters.Wakeups > 0, "the waiter was not woken by the device's doorbell");
    }

    [Fact]
    public async Task WaitToReceiveAsync_DeviceCompletedButNotDrained_ReturnsTrueUntilDrainedThenFalse()
    {
        var device = Pair.DeviceQueue().Writer;
        Send(device, 0, 3, CancellationToken.None);
        device.Complete();

        Assert.True(await Deadline.Within(Reader.WaitToReceiveAsync(), "the wait with 3 packets there"));
        Assert.Equal(2, Reader.TryReceive(_packets.AsSpan(0, 2)));
        Assert.True(await Deadline.Within(Reader.WaitToReceiveAsync(), "the wait with 1 packet there"));
        Assert.False(Reader.Completion.IsCompleted, "the stream completed before it was drained");
        Assert.Equal(1, Reader.TryReceive(_packets));
        var end = Reader.WaitToReceiveAsync();

        Assert.True(end.IsCompletedSuccessfully, "the stream was drained, yet the wait did not complete synchronously");
        Assert.False(await end);
        Assert.Equal(3, Reader.PeerTotal);
        await Deadline.Within(Reader.Completion, "the completion");
        Assert.False(await Deadline.Within(Reader.WaitToReceiveAsync(), "the wait after the end")); // and stays false
    }

    [Fact]
    public async Task WaitToReceiveAsync_DeviceCompletesWhileWaiting_ReturnsFalse()
    {
        var wait = Reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");
        Assert.Null(Reader.PeerTotal);

        StartDevice((queue, stop) =>
        {
            Thread.Sleep(20);
            queue.Writer.Complete();
        });

        Assert.False(await Deadline.Within(wait, "the wait at the end of the stream"));
        Assert.Equal(0, Reader.PeerTotal);
        Assert.True(Reader.Completion.IsCompletedSuccessfully, "the completion did not complete at the end of the stream");
    }

    [Fact]
    public async Task ReceiveAllAsync_DeviceSends10000ThenCompletes_YieldsAllInOrderAndEnds()
    {
        const int Count = 10_000;
        StartDevice((queue, stop) =>
        {
            Send(queue.Writer, 0, Count, stop, pauseEvery: 2_500); // pauses, so the reader runs dry and waits
            queue.Writer.Complete();
        });

        var checker = new SequenceChecker();
        using var deadline = new CancellationTokenSource(Deadline.Default);
        try
        {
            await foreach (var burst in Reader.ReceiveAllAsync(32, deadline.Token))
            {
                Assert.InRange(burst.Count, 1, 32);
                for (int i = 0; i < burst.Count; i++)
                {
                    Assert.Equal(Stamper.Size, burst[i].Length);
                    checker.Check(burst.Payload(i));
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Assert.Fail($"received {checker.Received} of {Count} packets, and no end of stream, within {Deadline.Default.TotalSeconds} s");
        }

        await Deadline.Within(_deviceLoop, "the device");
        Assert.Equal(((ulong)Count, (ulong)Count, 0UL, 0UL), (checker.Received, checker.Expected, checker.Bad, checker.Missing));
        Assert.Equal(Count, Reader.Counters.Packets);
        Assert.Equal(0, Reader.Counters.Held);
        Assert.True(Reader.Completion.IsCompletedSuccessfully, "the completion did not complete at the end of the stream");
    }

    [Fact]
    public async Task ReceiveAllAsync_ConsumerOnlyIterates_ReturnsEveryBuffer()
    {
        // Twice the guest's RX buffers: the device runs out of buffers unless each burst goes back to the fill ring.
        int count = 2 * Buffers;
        StartDevice((queue, stop) =>
        {
            Send(queue.Writer, 0, count, stop);
            queue.Writer.Complete();
        });
        using var deadline = new CancellationTokenSource(Deadline.Default);

        int received = 0;
        await foreach (var burst in Reader.ReceiveAllAsync(cancellationToken: deadline.Token))
            received += burst.Count;

        await Deadline.Within(_deviceLoop, "the device");
        Assert.Equal(count, received);
        Assert.Equal(0, Reader.Counters.Held);
    }

    [Fact]
    public async Task ReceiveAllAsync_OnTheDevice_DeliversWhatTheGuestSendsWithSendAsync()
    {
        // The other direction, both halves waiting: the guest's SendAsync waits for TX buffers the device gives back.
        // Twice the guest's TX buffers, so each is sent twice.
        int count = 2 * Buffers;
        var sending = Task.Run(async () =>
        {
            var frame = new byte[Stamper.Size];
            for (ulong i = 0; i < (ulong)count; i++)
            {
                Stamper.Write(frame, i, 0);
                await Writer.SendAsync(frame);
            }
            Writer.Complete();
        });
        var checker = new SequenceChecker();
        using var deadline = new CancellationTokenSource(Deadline.Default);

        await foreach (var burst in Pair.DeviceQueue().Reader.ReceiveAllAsync(cancellationToken: deadline.Token))
            for (int i = 0; i < burst.Count; i++)
                checker.Check(burst.Payload(i));

        await Deadline.Within(sending, "the guest's sends");
        Assert.Equal(((ulong)count, 0UL, 0UL), (checker.Expected, checker.Bad, checker.Missing));
        Assert.Equal(count, Pair.DeviceQueue().Reader.PeerTotal);
    }

    [Fact]
    public async Task PacketBurst_UsedAfterTheEnumerationMovedOn_ThrowsInvalidOperation()
    {
        var device = Pair.DeviceQueue().Writer;
        Send(device, 0, 1, CancellationToken.None);
        await using var bursts = Reader.ReceiveAllAsync(burstSize: 4).GetAsyncEnumerator();
        Assert.True(await Deadline.Within(bursts.MoveNextAsync().AsTask(), "the first burst"));
        var first = bursts.Current;
        var packet = first[0];
        Assert.Equal(Stamper.Size, first.Payload(0).Length);

        Send(device, 1, 1, CancellationToken.None);
        Assert.True(await Deadline.Within(bursts.MoveNextAsync().AsTask(), "the second burst"));

        Assert.Throws<InvalidOperationException>(() => first.Packets.Length);
        Assert.Throws<InvalidOperationException>(() => first[0]);
        Assert.Throws<InvalidOperationException>(() => first.Payload(0).Length);
        Assert.Throws<InvalidOperationException>(() => Reader.Return([packet])); // the enumeration returned it already
        var second = bursts.Current;
        Assert.Equal(1, second.Count);

        device.Complete();
        Assert.False(await Deadline.Within(bursts.MoveNextAsync().AsTask(), "the end of the enumeration"));
        Assert.Throws<InvalidOperationException>(() => second.Packets.Length);
        Assert.Throws<InvalidOperationException>(() => default(PacketBurst).Packets.Length);
        Assert.Equal(0, Reader.Counters.Held);
    }

    [Fact]
    public async Task Completion_DeviceDisposedBeforeEndOfStream_FaultsWithPeerLeft()
    {
        var wait = Reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");

        Pair.Device.Dispose();

        var e = await Assert.ThrowsAsync<RingException>(() => Deadline.Within(wait, "the wait when the device left"));
        Assert.Equal(RingErrorReason.PeerLeft, e.Reason);
        var completion = await Assert.ThrowsAsync<RingException>(() => Deadline.Within(Reader.Completion, "the completion"));
        Assert.Equal(RingErrorReason.PeerLeft, completion.Reason);
    }

    [Fact]
    public async Task Completion_DeviceDisposedAfterEndOfStream_StillCompletesOnceDrained()
    {
        Send(Pair.DeviceQueue().Writer, 0, 3, CancellationToken.None);
        Pair.DeviceQueue().Writer.Complete();
        Pair.Device.Dispose();

        using var deadline = new CancellationTokenSource(Deadline.Default);
        int received = 0;
        await foreach (var burst in Reader.ReceiveAllAsync(cancellationToken: deadline.Token))
            received += burst.Count;

        Assert.Equal(3, received);
        await Deadline.Within(Reader.Completion, "the completion");
    }

    [Fact]
    public async Task Completion_GuestDisposedBeforeEndOfStream_DeviceReaderFaultsWithPeerLeft()
    {
        var reader = Pair.DeviceQueue().Reader;
        var wait = reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");

        Pair.Guest.Dispose();

        var e = await Assert.ThrowsAsync<RingException>(() => Deadline.Within(wait, "the wait when the guest left"));
        Assert.Equal(RingErrorReason.PeerLeft, e.Reason);
        Assert.Equal(RingErrorReason.PeerLeft, (await Assert.ThrowsAsync<RingException>(() => Deadline.Within(reader.Completion, "the completion"))).Reason);
    }

    [Fact]
    public async Task WaitToSendAsync_DeviceLeftHoldingARingsWorth_ReturnsFalse()
    {
        SendARingsWorth();
        var wait = Writer.WaitToSendAsync();
        Assert.False(wait.IsCompleted, "a ring's worth of TX buffers is with the device, yet the wait completed");

        Pair.Device.Dispose();

        Assert.False(await Deadline.Within(wait, "the wait for a buffer when the device left"));
    }

    [Fact]
    public async Task WaitToSendAsync_ARingsWorthOutWithBuffersStillFree_WaitsUntilTheDeviceGivesOneBack()
    {
        // The guest has four rings' worth of TX buffers, but at most a ring's worth is rented or in flight: with that
        // much out, a wait for a buffer waits for a completion, not for one of the free buffers it may not use yet.
        SendARingsWorth();
        var wait = Writer.WaitToSendAsync();
        Assert.False(wait.IsCompleted, $"a ring's worth of TX buffers is with the device, yet the wait completed ({Buffers - RingSize} are free)");

        StartDevice((queue, stop) =>
        {
            var burst = new Packet[RingSize];
            long since = Stopwatch.GetTimestamp();
            for (int n = 0; n < RingSize; n += queue.Reader.TryReceive(burst.AsSpan(n)))
                ThrowIfStoppedOrLate(stop, since, "the guest's packets");
            Thread.Sleep(20);
            queue.Reader.Return(burst.AsSpan(0, 1)); // one comes back; the device keeps the rest
        });

        Assert.True(await Deadline.Within(wait, "the wait for a TX buffer the device gives back"));
        await Deadline.Within(_deviceLoop, "the device");
        Assert.Equal(1, Writer.TryRent(_packets)); // one, though many more are free
        Assert.Equal(1, Writer.Counters.Held);
    }

    [Fact]
    public async Task WaitToSendAsync_WriterCompleted_ReturnsFalseAndSendingThrows()
    {
        Writer.Complete();

        Assert.False(await Deadline.Within(Writer.WaitToSendAsync(), "the wait on a completed writer"));
        Assert.Equal(0, Writer.TryRent(_packets));
        Assert.Throws<InvalidOperationException>(() => Writer.TrySend(ReadOnlySpan<Packet>.Empty));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Deadline.Within(Writer.SendAsync(new byte[1]).AsTask(), "the send on a completed writer"));
    }

    [Fact]
    public void WaitToReceiveAsync_SecondWhilePending_ThrowsInvalidOperation()
    {
        using var cancel = new CancellationTokenSource();
        _ = Reader.WaitToReceiveAsync(cancel.Token);

        Assert.Throws<InvalidOperationException>(() => Reader.WaitToReceiveAsync());

        cancel.Cancel();
    }

    [Fact]
    public void WaitToSendAsync_SecondWhilePending_ThrowsInvalidOperation()
    {
        SendARingsWorth();
        using var cancel = new CancellationTokenSource();
        _ = Writer.WaitToSendAsync(cancel.Token);

        Assert.Throws<InvalidOperationException>(() => Writer.WaitToSendAsync());

        cancel.Cancel();
    }

    [Fact]
    public async Task WaitToReceiveAndWaitToSend_OutstandingTogether_BothComplete()
    {
        // One waiter thread per queue side serves both halves: neither wait may starve the other.
        SendARingsWorth();
        var toSend = Writer.WaitToSendAsync();
        var toReceive = Reader.WaitToReceiveAsync();
        Assert.False(toSend.IsCompleted || toReceive.IsCompleted, "a wait completed before the device did anything");

        StartDevice((queue, stop) =>
        {
            Thread.Sleep(20);
            var burst = new Packet[RingSize];
            int n = 0;
            while (n == 0)
            {
                stop.ThrowIfCancellationRequested();
                n = queue.Reader.TryReceive(burst);
            }
            queue.Reader.Return(burst.AsSpan(0, n)); // TX buffers come back: the guest's writer may send
            Thread.Sleep(20);
            Send(queue.Writer, 0, 1, stop);          // a packet arrives: the guest's reader may receive
        });

        Assert.True(await Deadline.Within(toSend, "the wait to send"));
        Assert.True(await Deadline.Within(toReceive, "the wait to receive"));
        await Deadline.Within(_deviceLoop, "the device");
    }

    [Fact]
    public async Task WaitToReceiveAsync_Cancelled_ThrowsOperationCanceledWithTheToken()
    {
        using var cancel = new CancellationTokenSource();
        var wait = Reader.WaitToReceiveAsync(cancel.Token);
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");

        cancel.Cancel();

        var e = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Deadline.Within(wait, "the cancelled wait"));
        Assert.Equal(cancel.Token, e.CancellationToken);
    }

    [Fact]
    public void WaitToReceiveAsync_AlreadyCancelled_CompletesCanceledSynchronously()
    {
        Assert.True(Reader.WaitToReceiveAsync(new CancellationToken(canceled: true)).IsCanceled);
        Assert.True(Writer.WaitToSendAsync(new CancellationToken(canceled: true)).IsCanceled);
    }

    [Fact]
    public async Task WaitToReceiveAsync_AfterACancelledWait_WaitsAgain()
    {
        using var cancel = new CancellationTokenSource();
        var cancelled = Reader.WaitToReceiveAsync(cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Deadline.Within(cancelled, "the cancelled wait"));

        var wait = Reader.WaitToReceiveAsync();
        Assert.False(wait.IsCompleted, "nothing was sent, yet the wait completed");
        StartDevice((queue, stop) => Send(queue.Writer, 0, 1, stop));

        Assert.True(await Deadline.Within(wait, "the wait after a cancelled one"));
    }

    [Fact]
    public async Task WaitToSendAsync_Cancelled_ThrowsOperationCanceled()
    {
        SendARingsWorth();
        using var cancel = new CancellationTokenSource();
        var wait = Writer.WaitToSendAsync(cancel.Token);
        Assert.False(wait.IsCompleted, "a ring's worth of TX buffers is with the device, yet the wait completed");

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Deadline.Within(wait, "the cancelled wait"));
    }

    [Fact]
    public async Task WaitToReceiveAsync_ApplicationHoldsEveryRxBuffer_FailsWithInvalidOperationNamingIt()
    {
        // Every buffer, not a ring's worth: while the guest has free buffers, a wait posts them and a packet can come.
        StartDevice((queue, stop) => Send(queue.Writer, 0, Buffers, stop));
        var packets = new Packet[Buffers];
        int held = 0;
        while (held < Buffers)
        {
            Assert.True(await Deadline.Within(Reader.WaitToReceiveAsync(), $"the device's packets ({held} of {Buffers} held)"));
            held += Reader.TryReceive(packets.AsSpan(held));
        }
        await Deadline.Within(_deviceLoop, "the device");

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => Deadline.Within(Reader.WaitToReceiveAsync(), "the refused wait"));

        Assert.Contains($"holds all {Buffers} buffers", e.Message);
        Assert.True(Reader.Counters.Starved >= 1, "the refused wait was not counted");
        Reader.Return(packets.AsSpan(0, 1)); // one back: now a packet can arrive, so the wait waits
        using var cancel = new CancellationTokenSource();
        var wait = Reader.WaitToReceiveAsync(cancel.Token);
        Assert.False(wait.IsCompleted, "nothing more was sent, yet the wait completed");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Deadline.Within(wait, "the cancelled wait"));
    }

    [Fact]
    public async Task WaitToReceiveAsync_GuestDisposedWhileWaiting_FailsWithObjectDisposed()
    {
        var wait = Reader.WaitToReceiveAsync();
        var toSend = WaitToSendWithARingsWorthOut();

        Pair.Guest.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => Deadline.Within(wait, "the wait pending at Dispose"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Deadline.Within(toSend, "the wait to send pending at Dispose"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => Deadline.Within(Reader.Completion, "the completion"));
    }

    [Fact]
    public void Members_AfterGuestDisposed_ThrowObjectDisposedAndNeverTouchTheRegion()
    {
        var queue = Pair.GuestQueue();
        var (reader, writer) = (queue.Reader, queue.Writer);
        Send(Pair.DeviceQueue().Writer, 0, 1, CancellationToken.None);
        Assert.Equal(1, reader.TryReceive(_packets));
        var received = _packets[0];
        Assert.Equal(1, writer.TryRent(_packets.AsSpan(0, 1)));
        var rented = _packets[0];

        Pair.Guest.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Pair.Guest.QueuePairs);
        Assert.Throws<ObjectDisposedException>(() => reader.TryReceive(_packets));
        Assert.Throws<ObjectDisposedException>(() => reader.Return([received]));
        Assert.Throws<ObjectDisposedException>(() => reader.WaitToReceiveAsync());
        Assert.Throws<ObjectDisposedException>(() => reader.Counters);
        Assert.Throws<ObjectDisposedException>(() => reader.PeerTotal);
        Assert.Throws<ObjectDisposedException>(() => reader.Payload(received).Length);
        Assert.Throws<ObjectDisposedException>(() => writer.TryRent(_packets));
        Assert.Throws<ObjectDisposedException>(() => writer.TrySend([rented]));
        Assert.Throws<ObjectDisposedException>(() => writer.TrySend(new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => writer.Return([rented]));
        Assert.Throws<ObjectDisposedException>(() => writer.WaitToSendAsync());
        Assert.Throws<ObjectDisposedException>(() => writer.Complete());
        Assert.Throws<ObjectDisposedException>(() => writer.Counters);
        Assert.Throws<ObjectDisposedException>(() => writer.GetBuffer(rented).Length);
        Assert.Throws<ObjectDisposedException>(() => queue.Idle(0));
        Assert.Throws<ObjectDisposedException>(() => queue.SleepCounters);
        Pair.Guest.Dispose(); // twice: nothing more happens
    }

    [Fact]
    public void Members_AfterDeviceDisposed_ThrowObjectDisposed()
    {
        var queue = Pair.DeviceQueue();

        Pair.Device.Dispose();

        Assert.Throws<ObjectDisposedException>(() => Pair.Device.QueuePairs);
        Assert.Throws<ObjectDisposedException>(() => queue.Reader.TryReceive(_packets));
        Assert.Throws<ObjectDisposedException>(() => queue.Reader.WaitToReceiveAsync());
        Assert.Throws<ObjectDisposedException>(() => queue.Reader.Counters);
        Assert.Throws<ObjectDisposedException>(() => queue.Writer.TryRent(_packets));
        Assert.Throws<ObjectDisposedException>(() => queue.Writer.WaitToSendAsync());
        Assert.Throws<ObjectDisposedException>(() => queue.Writer.Counters);
        Assert.Throws<ObjectDisposedException>(() => queue.Idle(0));
    }

    [Fact]
    public void Dispose_WhileOneThreadLoopsOnTryReceiveAndAnotherReadsCounters_BothGetObjectDisposedAndNothingCrashes()
    {
        var reader = Reader;
        StartDevice((queue, stop) =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                    Send(queue.Writer, 0, 32, stop);
            }
            catch (RingException)
            {
                // The guest left: what a device sees next.
            }
        });
        long rounds = 0;
        var looping = Deadline.Run(() =>
        {
            var burst = new Packet[32];
            try
            {
                while (true)
                {
                    int n = reader.TryReceive(burst);
                    reader.Return(burst.AsSpan(0, n));
                    _ = reader.Counters.Packets;
                    Interlocked.Increment(ref rounds);
                }
            }
            catch (ObjectDisposedException e)
            {
                return e;
            }
        });
        // A third thread reads the counters all along, as a metrics listener does beside a poll loop.
        var queue = Pair.GuestQueue();
        long reads = 0;
        var watching = Deadline.Run(() =>
        {
            try
            {
                while (true)
                {
                    _ = reader.Counters.Packets + queue.Writer.Counters.Packets + queue.SleepCounters.Sleeps + (reader.PeerTotal ?? 0);
                    Interlocked.Increment(ref reads);
                }
            }
            catch (ObjectDisposedException e)
            {
                return e;
            }
        });
        Deadline.Until(() => Interlocked.Read(ref rounds) > 1000 && Interlocked.Read(ref reads) > 1000 && reader.Counters.Packets > 100,
            "the loops' first rounds", Task.WhenAny(looping, watching));

        Pair.Guest.Dispose();

        Assert.IsType<ObjectDisposedException>(Deadline.Join(looping, "the loop on TryReceive"));
        Assert.IsType<ObjectDisposedException>(Deadline.Join(watching, "the loop reading counters"));
    }

    [Fact]
    public async Task Idle_QueuePairWaitedOnAsynchronously_ThrowsInvalidOperation()
    {
        var guest = Pair.GuestQueue();
        using var cancel = new CancellationTokenSource();
        var wait = guest.Reader.WaitToReceiveAsync(cancel.Token);

        Assert.Throws<InvalidOperationException>(() => guest.Idle(0));

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Deadline.Within(wait, "the cancelled wait"));
    }

    [Fact]
    public async Task WaitToReceiveAsync_SteadyState_AllocatesNothingPerWait()
    {
        const int Waits = 1_000, Rounds = 5;
        // The count is process-wide, so the runtime and the test host add background noise on other threads.
        // Each round is measured on its own and the quietest one is judged. An object allocated per wait is at
        // least 24 B, so at least 24 000 B in every round. The bound is half of that.
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
                Send(queue.Writer, (ulong)i, 1, stop);
            }
        });

        var (allocated, received, synchronous) = await Deadline.Within(Task.Run(async () =>
        {
            var bytes = new long[Rounds];
            int got = 0, completedAtOnce = 0;
            for (int round = -1; round < Rounds; round++) // round -1 warms up
            {
                long before = GC.GetTotalAllocatedBytes(precise: true);
                for (int i = 0; i < Waits; i++)
                {
                    var wait = Reader.WaitToReceiveAsync();
                    if (wait.IsCompleted)
                        completedAtOnce++;
                    go.Release();
                    if (!await wait.ConfigureAwait(false))
                        break;
                    int n = Reader.TryReceive(_packets);
                    Reader.Return(_packets.AsSpan(0, n));
                    got += n;
                }
                if (round >= 0)
                    bytes[round] = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
            return (bytes, got, completedAtOnce);
        }), $"{Rounds + 1} rounds of {Waits} wait/receive cycles", TimeSpan.FromSeconds(120));
        await Deadline.Within(_deviceLoop, "the device");

        Assert.Equal(0, synchronous);
        Assert.Equal((Rounds + 1) * Waits, received);
        Assert.True(allocated.Min() < Bound,
            $"every round of {Waits} waits allocated at least {Bound} B (rounds: {string.Join(", ", allocated)} B)");
    }

    /// <summary>Sends a ring's worth of TX buffers (the device keeps them), then starts a wait for one to come back.</summary>
    private Task<bool> WaitToSendWithARingsWorthOut()
    {
        SendARingsWorth();
        var wait = Writer.WaitToSendAsync();
        Assert.False(wait.IsCompleted, "a ring's worth of TX buffers is with the device, yet the wait completed");
        return wait.AsTask();
    }

    /// <summary>Rents all the guest's writer gives, asking for every TX buffer: a ring's worth, though more are
    /// free; sends them, and the device keeps them. Nothing more can be rented until some come back.</summary>
    private void SendARingsWorth()
    {
        var tx = new Packet[Buffers];
        Assert.Equal(RingSize, Writer.TryRent(tx));
        Assert.Equal(RingSize, Writer.TrySend(tx.AsSpan(0, RingSize)));
        Assert.Equal(0, Writer.TryRent(tx));
    }

    /// <summary>Runs <paramref name="body"/> with the device's queue pair 0 on a thread of its own; DisposeAsync stops it.</summary>
    private void StartDevice(Action<QueuePair, CancellationToken> body)
    {
        var queue = Pair.DeviceQueue();
        var stop = _stopDevice.Token;
        _deviceLoop = Deadline.Run(() => body(queue, stop));
    }

    /// <summary>Sends packets <paramref name="first"/> .. first + count - 1, stamped with their numbers, in bursts of up
    /// to 32; waits for buffers when the guest has none posted. Sleeps 20 ms every <paramref name="pauseEvery"/>
    /// packets, so the reader runs dry and waits.</summary>
    private static void Send(PacketWriter writer, ulong first, int count, CancellationToken stop, int pauseEvery = 0)
    {
        Span<Packet> burst = stackalloc Packet[32];
        ulong next = first, end = first + (ulong)count;
        long since = Stopwatch.GetTimestamp();
        while (next < end)
        {
            int n = writer.TryRent(burst[..(int)Math.Min((ulong)burst.Length, end - next)]);
            if (n == 0)
            {
                ThrowIfStoppedOrLate(stop, since, $"RX buffers, after sending {next - first} of {count} packets");
                Thread.Yield();
                continue;
            }
            for (int i = 0; i < n; i++)
            {
                Stamper.Write(writer.GetBuffer(burst[i]), next + (ulong)i, Stopwatch.GetTimestamp());
                burst[i] = burst[i].WithLength(Stamper.Size);
            }
            writer.TrySend(burst[..n]);
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
        if (Stopwatch.GetElapsedTime(since) > Deadline.Default)
            throw new TimeoutException($"device: waited {Deadline.Default.TotalSeconds} s for {waitingFor}");
    }

    private void AssertSequence(ReadOnlySpan<Packet> packets, ulong first)
    {
        var checker = new SequenceChecker(first);
        foreach (var p in packets)
            checker.Check(Reader.Payload(p));
        Assert.Equal(first + (ulong)packets.Length, checker.Expected);
        Assert.Equal(0UL, checker.Bad + checker.Missing);
    }
}

/// <summary>The async contract with both sides busy-polling: the waiter thread spins.</summary>
public sealed class PollAsyncTests : AsyncTests
{
    protected override WaitMode Mode => WaitMode.Poll;
}

/// <summary>The async contract with both sides sleeping on their doorbells as soon as a poll finds nothing.</summary>
public sealed class EventAsyncTests : AsyncTests
{
    protected override WaitMode Mode => WaitMode.Event;
}

/// <summary>The async contract with both sides polling for the hybrid budget, then sleeping.</summary>
public sealed class HybridAsyncTests : AsyncTests
{
    protected override WaitMode Mode => WaitMode.Hybrid;
}

/// <summary>
/// The async tests run alone: the steady-state allocation test counts every thread's allocations, so no other
/// collection may run while it does, and the poll-mode waiters each spin a core.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AsyncCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "async";
}
