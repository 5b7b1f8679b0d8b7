using System.Buffers.Binary;
using System.Diagnostics;
using Ring.Control;
using Ring.Native;
using Ring.Tests.Support;
using Xunit.Abstractions;

namespace Ring.Tests;

/// <summary>
/// The control protocol in one process: the listener driven on the test thread, the client on another, and raw
/// sockets playing hostile peers. Every wait has a deadline (<see cref="ControlScope.Deadline"/>).
/// </summary>
public sealed unsafe class ControlChannelTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(5);

    private readonly ControlScope _scope = new();

    [Fact]
    public void Connect_Device_MapsTheSameMemoryReadWriteWithGeneration1()
    {
        var listener = _scope.Listen();
        *(ulong*)(_scope.Region.Address + 8) = 0xFEED;

        var attempt = _scope.Attach(listener, PeerRole.Device);

        Assert.Null(attempt.Error);
        var session = attempt.Session!;
        Assert.Equal(1UL, session.Generation);
        Assert.True(session.Memory.IsWritable);
        Assert.Equal(ControlScope.RegionLength, session.Memory.Length);
        Assert.Equal(0xFEEDUL, *(ulong*)(session.Memory.Address + 8));
        *(ulong*)session.Memory.Address = 0xBEEF;
        Assert.Equal(0xBEEFUL, *(ulong*)_scope.Region.Address);
        var attached = Assert.Single(attempt.Events);
        Assert.Equal(ControlEventKind.DeviceAttached, attached.Kind);
        Assert.Equal(Environment.ProcessId, attached.Peer.Pid);
        Assert.Same(listener.Device, listener.Device);
        Assert.Equal(1UL, listener.Generation);
    }

    [Fact]
    public void Connect_SecondDeviceWhileFirstAlive_RefusedNamingTheFirst()
    {
        var listener = _scope.Listen();
        Assert.NotNull(_scope.Attach(listener, PeerRole.Device).Session);

        var second = _scope.Attach(listener, PeerRole.Device);

        var error = Assert.IsType<ControlException>(second.Error);
        Assert.Equal(ControlReason.DeviceAlreadyAttached, error.Code);
        Assert.Contains($"a device is already attached (pid {Environment.ProcessId})", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains(second.Events, e => e.Kind == ControlEventKind.Refused && e.Status.Reason == ControlReason.DeviceAlreadyAttached);
        Assert.Equal(1UL, listener.Generation);
    }

    [Fact]
    public void Connect_ObserverBesideDevice_MapsReadOnlyAndTheKernelRefusesWrites()
    {
        var listener = _scope.Listen();
        var device = _scope.Attach(listener, PeerRole.Device).Session!;
        *(ulong*)device.Memory.Address = 42;

        var observer = _scope.Attach(listener, PeerRole.Observer);

        Assert.Null(observer.Error);
        var memory = observer.Session!.Memory;
        Assert.False(memory.IsWritable);
        Assert.Equal(42UL, *(ulong*)memory.Address);
        Assert.Equal(1UL, observer.Session.Generation);
        Assert.Equal(0, Files.AccessMode(memory.Descriptor, out int mode));
        Assert.Equal(Files.O_RDONLY, mode);
        Assert.Equal(Errno.EACCES, Mapping.Map(memory.Descriptor, 4096, writable: true, out _));
        Assert.Equal(1, listener.ObserverCount);
        Assert.True(listener.Device!.Check().IsAlive);
    }

    [Fact]
    public void Connect_ObserversBeyondTheLimit_RefusedAsTooManyPeers()
    {
        var listener = _scope.Listen(new ControlListenerOptions(maxObservers: 1));
        Assert.NotNull(_scope.Attach(listener, PeerRole.Observer).Session);

        var second = _scope.Attach(listener, PeerRole.Observer);

        Assert.Equal(ControlReason.TooManyPeers, Assert.IsType<ControlException>(second.Error).Code);
    }

    [Fact]
    public void Check_NothingHappened_ReportsAliveOnBothSides()
    {
        var listener = _scope.Listen();
        var session = _scope.Attach(listener, PeerRole.Device).Session!;

        Assert.Equal(PeerStatus.Alive, listener.Device!.Check());
        Assert.Equal(PeerStatus.Alive, session.Connection.Check());
        Assert.Equal(PeerState.Alive, session.Connection.Wait(TimeSpan.FromMilliseconds(100)).State);
    }

    [Fact]
    public void Check_DeviceSaysByeThenCloses_GuestSeesLeftWithTheReason()
    {
        var listener = _scope.Listen();
        var session = _scope.Attach(listener, PeerRole.Device).Session!;

        Assert.True(session.Connection.SendBye(ControlReason.Stopping, "producer finished"));
        session.Dispose();

        var gone = ControlScope.PumpUntil(listener, ControlEventKind.DeviceGone);
        Assert.Equal(new PeerStatus(PeerState.Left, ControlReason.Stopping, "producer finished"), gone.Status);
        Assert.Equal(gone.Status, listener.Device!.Check());
    }

    [Fact]
    public void Check_DeviceClosesWithoutBye_GuestSeesDied()
    {
        var listener = _scope.Listen();
        var session = _scope.Attach(listener, PeerRole.Device).Session!;
        var device = listener.Device!;

        session.Dispose();

        Assert.Equal(PeerState.Died, device.Wait(Short).State);
        Assert.Equal(PeerState.Died, device.Check().State);
    }

    [Fact]
    public void Wait_DeviceClosesWhileWaiting_WakesWithinMilliseconds()
    {
        var listener = _scope.Listen();
        var session = _scope.Attach(listener, PeerRole.Device).Session!;
        var device = listener.Device!;
        var closer = Task.Run(() =>
        {
            Thread.Sleep(100);
            // Stamped before the close: the waiter may wake and stamp before this thread runs again after it.
            long closing = Stopwatch.GetTimestamp();
            session.Dispose();
            return closing;
        });

        var status = device.Wait(Short);
        long woke = Stopwatch.GetTimestamp();

        Assert.Equal(PeerState.Died, status.State);
        Assert.InRange(Stopwatch.GetElapsedTime(ControlScope.Finish(closer), woke), TimeSpan.Zero, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void Dispose_Listener_DeviceAndObserverSeeGuestShuttingDown()
    {
        var listener = _scope.Listen();
        var device = _scope.Attach(listener, PeerRole.Device).Session!;
        var observer = _scope.Attach(listener, PeerRole.Observer).Session!;

        listener.Dispose();

        Assert.Equal(PeerState.Left, device.Connection.Wait(Short).State);
        Assert.Equal(ControlReason.GuestShuttingDown, device.Connection.Check().Reason);
        Assert.Equal(ControlReason.GuestShuttingDown, observer.Connection.Wait(Short).Reason);
        Assert.False(File.Exists(_scope.SocketPath));
        Assert.False(File.Exists(_scope.SocketPath + ".lock"));
    }

    [Fact]
    public void Connect_NewDeviceBeforeTheDeadOneIsDetached_WaitsThenGetsGeneration2()
    {
        var listener = _scope.Listen();
        _scope.Attach(listener, PeerRole.Device).Session!.Dispose();
        Assert.Equal(ControlEventKind.DeviceGone, ControlScope.PumpUntil(listener, ControlEventKind.DeviceGone).Kind);

        var connect = Task.Run(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Short));
        var refused = ControlScope.PumpUntil(listener, ControlEventKind.Refused);
        Assert.Equal(ControlReason.DeviceDetaching, refused.Status.Reason);
        listener.DetachDevice(ControlReason.Detached, "reclaimed");
        var attached = ControlScope.PumpUntil(listener, ControlEventKind.DeviceAttached);

        Assert.Equal(2UL, attached.Generation);
        Assert.Equal(2UL, _scope.Own(ControlScope.Finish(connect)).Generation);
    }

    [Fact]
    public void DetachDevice_LiveDevice_DeviceSeesLeftWithTheReason()
    {
        var listener = _scope.Listen();
        var session = _scope.Attach(listener, PeerRole.Device).Session!;

        listener.DetachDevice(ControlReason.Detached, "resetting the rings");

        Assert.Null(listener.Device);
        Assert.Equal(new PeerStatus(PeerState.Left, ControlReason.Detached, "resetting the rings"), session.Connection.Wait(Short));
    }

    [Fact]
    public void Connect_DeviceStartsBeforeTheGuest_AttachesWhenTheSocketAppears()
    {
        var connect = Task.Run(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Short));
        Thread.Sleep(200);
        Assert.False(connect.IsCompleted);

        var listener = _scope.Listen();
        ControlScope.Pump(listener, () => connect.IsCompleted);

        Assert.Equal(1UL, _scope.Own(ControlScope.Finish(connect)).Generation);
    }

    [Fact]
    public void Connect_NoGuest_TimesOutWithOneLine()
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ControlException>(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, TimeSpan.FromMilliseconds(300)));

        Assert.Equal(ControlReason.Timeout, error.Code);
        Assert.Contains("the socket does not exist", error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public void Connect_Cancelled_ThrowsOperationCanceledPromptly()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var clock = Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Short, cancel.Token));
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Listener_GarbageInsteadOfHello_RefusesAsBadMessageAndStillAcceptsADevice()
    {
        var listener = _scope.Listen();
        using var raw = RawPeer.Connect(_scope.SocketPath);

        raw.Send("GET / HTTP/1.1\r\n\r\n"u8);
        var refused = ControlScope.PumpUntil(listener, ControlEventKind.Refused);

        Assert.Equal(ControlReason.BadMessage, refused.Status.Reason);
        Assert.Contains("bad magic", refused.Status.Text);
        var answer = Decode(raw.Receive(Short).Bytes);
        Assert.Equal(ControlReason.BadMessage, Assert.IsType<RefuseMessage>(answer).Reason);
        Assert.True(raw.HungUp(Short));
        Assert.NotNull(_scope.Attach(listener, PeerRole.Device).Session);
    }

    [Fact]
    public void Listener_HelloOfAnotherVersion_RefusesAsVersionMismatch()
    {
        var listener = _scope.Listen();
        using var raw = RawPeer.Connect(_scope.SocketPath);
        var hello = Encode(new HelloMessage(PeerRole.Device, 1234));
        BinaryPrimitives.WriteUInt16LittleEndian(hello.AsSpan(MessageLayout.HelloVersionOffset), 2);

        raw.Send(hello);

        var refused = ControlScope.PumpUntil(listener, ControlEventKind.Refused);
        Assert.Equal(ControlReason.VersionMismatch, refused.Status.Reason);
        Assert.Equal("peer speaks control protocol version 2, this side 1", refused.Status.Text);
    }

    [Fact]
    public void Listener_HelloWithADescriptorAttached_ClosesItAndRefuses()
    {
        var listener = _scope.Listen();
        using var raw = RawPeer.Connect(_scope.SocketPath);
        string name = $"probe-{Guid.NewGuid():N}";
        Assert.Equal(0, Memfd.Create(name, out var probe));
        using (probe)
            raw.Send(Encode(new HelloMessage(PeerRole.Device, 1234)), probe);

        var refused = ControlScope.PumpUntil(listener, ControlEventKind.Refused);

        Assert.Equal(ControlReason.BadMessage, refused.Status.Reason);
        Assert.Contains("carried 1 descriptors, 0 expected", refused.Status.Text);
        Assert.True(raw.HungUp(Short));
        Assert.DoesNotContain(Directory.GetFiles("/proc/self/fd"), fd => (new FileInfo(fd).LinkTarget ?? "").Contains(name));
        Assert.Null(listener.Device);
    }

    [Fact]
    public void Listener_OversizeMessage_RefusesAsBadMessage()
    {
        var listener = _scope.Listen();
        using var raw = RawPeer.Connect(_scope.SocketPath);
        var big = new byte[400];
        Encode(new HelloMessage(PeerRole.Device, 1)).CopyTo(big, 0);

        raw.Send(big);

        var refused = ControlScope.PumpUntil(listener, ControlEventKind.Refused);
        Assert.Contains("longer than 256 bytes", refused.Status.Text);
    }

    [Fact]
    public void Connect_GuestRefusesAtAcceptBeforeHello_ClientStillReadsTheRefusal()
    {
        var listener = _scope.Listen(new ControlListenerOptions(maxPending: 1));
        using var silent = RawPeer.Connect(_scope.SocketPath);
        Assert.False(listener.TryPoll(out _)); // the silent connection now waits for its HELLO
        var clock = Stopwatch.StartNew();

        var attempt = _scope.Attach(listener, PeerRole.Device);

        Assert.Equal(ControlReason.TooManyPeers, Assert.IsType<ControlException>(attempt.Error).Code);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void Listener_HelloWithAnotherPid_AttachesByTheKernelsPidAndNotesTheClaim()
    {
        var listener = _scope.Listen();
        using var raw = RawPeer.Connect(_scope.SocketPath);

        raw.Send(Encode(new HelloMessage(PeerRole.Device, 7)));

        var attached = ControlScope.PumpUntil(listener, ControlEventKind.DeviceAttached);
        Assert.Equal(Environment.ProcessId, attached.Peer.Pid);
        Assert.EndsWith("(it calls itself pid 7: another pid namespace)", attached.ToString());
    }

    [Fact]
    public void Check_PeerAlive_CostsAboutOneSystemCall()
    {
        const int Calls = 20_000;
        var listener = _scope.Listen();
        Assert.NotNull(_scope.Attach(listener, PeerRole.Device).Session);
        var device = listener.Device!;
        var clock = Stopwatch.StartNew();

        for (int i = 0; i < Calls; i++)
            Assert.True(device.Check().IsAlive);

        double microseconds = clock.Elapsed.TotalMicroseconds / Calls;
        output.WriteLine($"Check() on a live peer: {microseconds * 1000:0} ns per call");
        Assert.InRange(microseconds, 0, 50);
    }

    [Fact]
    public void Listener_SilentConnection_RefusedAfterTheHelloTimeout()
    {
        var listener = _scope.Listen(new ControlListenerOptions(helloTimeout: TimeSpan.FromMilliseconds(200)));
        using var raw = RawPeer.Connect(_scope.SocketPath);
        var clock = Stopwatch.StartNew();

        var refused = ControlScope.PumpUntil(listener, ControlEventKind.Refused);

        Assert.Equal(ControlReason.HelloTimeout, refused.Status.Reason);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(3));
        Assert.Equal(ControlReason.HelloTimeout, Assert.IsType<RefuseMessage>(Decode(raw.Receive(Short).Bytes)).Reason);
    }

    [Fact]
    public void Listener_ProbeThatHangsUpBeforeHello_IsDroppedWithoutAnEvent()
    {
        var listener = _scope.Listen();

        RawPeer.Connect(_scope.SocketPath).Dispose();

        Assert.False(listener.WaitForEvent(TimeSpan.FromMilliseconds(300), out var e), $"unexpected {e}");
    }

    [Fact]
    public void Check_DeviceSendsAnEmptyMessage_ReportsBrokenNotDied()
    {
        var listener = _scope.Listen();
        using var raw = RawPeer.Connect(_scope.SocketPath);
        raw.Send(Encode(new HelloMessage(PeerRole.Device, 1)));
        ControlScope.PumpUntil(listener, ControlEventKind.DeviceAttached);
        raw.Receive(Short).Passed?.Dispose();

        raw.Send([]);

        var status = listener.Device!.Wait(Short);
        Assert.Equal(PeerState.Broken, status.State);
        Assert.Equal("empty message", status.Text);
    }

    [Fact]
    public void Check_DeviceSendsAnotherHelloAfterTheHandshake_ReportsBroken()
    {
        var listener = _scope.Listen();
        using var raw = RawPeer.Connect(_scope.SocketPath);
        raw.Send(Encode(new HelloMessage(PeerRole.Device, 1)));
        ControlScope.PumpUntil(listener, ControlEventKind.DeviceAttached);

        raw.Send(Encode(new HelloMessage(PeerRole.Device, 1)));

        var status = listener.Device!.Wait(Short);
        Assert.Equal(PeerState.Broken, status.State);
        Assert.Equal("unexpected Hello after the handshake", status.Text);
    }

    [Fact]
    public void Connect_GuestOffersAnUnsealedRegion_RefusesItAndSaysByeWithTheReason()
    {
        using var guest = FakeGuest.Listen(_scope.SocketPath);
        Assert.Equal(0, Memfd.Create("unsealed", out var unsealed));
        using (unsealed)
        {
            Assert.Equal(0, Memfd.SetLength(unsealed!, 4096));
            var connect = Task.Run(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Short));
            using var device = guest.Accept(Short);
            Assert.IsType<HelloMessage>(Decode(device.Receive(Short).Bytes));

            device.Send(Encode(new RegionMessage(1, 4096, RegionAccess.ReadWrite)), unsealed);

            var error = Assert.IsType<ControlException>(ControlScope.Failure(connect));
            Assert.Equal(ControlReason.RegionUnsealed, error.Code);
            Assert.Contains("region refused: seals 0x", error.Message);
            Assert.EndsWith("lack shrink, grow or seal (0x7)", error.Message);
            var bye = Assert.IsType<ByeMessage>(Decode(device.Receive(Short).Bytes));
            Assert.Equal(ControlReason.RegionUnsealed, bye.Reason);
        }
    }

    [Fact]
    public void Connect_GuestClaimsMoreThanTheMemfdHolds_RefusedAsTooSmall()
    {
        using var guest = FakeGuest.Listen(_scope.SocketPath);
        var connect = Task.Run(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Short));
        using var device = guest.Accept(Short);
        device.Receive(Short);

        device.Send(Encode(new RegionMessage(1, ControlScope.RegionLength * 2, RegionAccess.ReadWrite)), _scope.Region.Descriptor);

        var error = Assert.IsType<ControlException>(ControlScope.Failure(connect));
        Assert.Equal(ControlReason.RegionTooSmall, error.Code);
    }

    [Fact]
    public void Connect_GuestAnswersGarbage_ThrowsBadMessageInOneLine()
    {
        using var guest = FakeGuest.Listen(_scope.SocketPath);
        var connect = Task.Run(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Short));
        using var device = guest.Accept(Short);
        device.Receive(Short);

        device.Send(new byte[] { 0x52, 0x43, 0x54, 0x4C, 9, 0, 8, 0 });

        var error = Assert.IsType<ControlException>(ControlScope.Failure(connect));
        Assert.Equal(ControlReason.BadMessage, error.Code);
        Assert.EndsWith("unknown message type 9", error.Message);
    }

    [Fact]
    public void Connect_GuestSendsRegionWithoutDescriptor_ThrowsBadMessage()
    {
        using var guest = FakeGuest.Listen(_scope.SocketPath);
        var connect = Task.Run(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Short));
        using var device = guest.Accept(Short);
        device.Receive(Short);

        device.Send(Encode(new RegionMessage(1, 4096, RegionAccess.ReadWrite)));

        var error = Assert.IsType<ControlException>(ControlScope.Failure(connect));
        Assert.Contains("carried 0 descriptors, 1 expected", error.Message);
    }

    [Fact]
    public void Connect_GuestOffersReadWriteToAnObserver_ThrowsBadMessage()
    {
        using var guest = FakeGuest.Listen(_scope.SocketPath);
        var connect = Task.Run(() => ControlClient.Connect(_scope.SocketPath, PeerRole.Observer, Short));
        using var observer = guest.Accept(Short);
        observer.Receive(Short);

        observer.Send(Encode(new RegionMessage(0, 4096, RegionAccess.ReadWrite)), _scope.Region.Descriptor);

        var error = Assert.IsType<ControlException>(ControlScope.Failure(connect));
        Assert.Contains("REGION offers ReadWrite access to a observer", error.Message);
    }

    [Theory]
    [InlineData(0u, 0u, true)]
    [InlineData(1000u, 1000u, true)]
    [InlineData(0u, 1000u, true)]
    [InlineData(1001u, 1000u, false)]
    [InlineData(1000u, 0u, false)]
    public void PeerCredentials_Uid_TrustedOnlyIfSameUserOrRoot(uint peerUid, uint ownUid, bool trusted) =>
        Assert.Equal(trusted, new PeerCredentials(1, peerUid, 0).IsTrustedBy(ownUid));

    public void Dispose() => _scope.Dispose();

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
}
