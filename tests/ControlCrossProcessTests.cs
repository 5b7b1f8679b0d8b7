using System.Diagnostics;
using Ring.Control;
using Ring.Tests.Support;
using Xunit.Abstractions;

namespace Ring.Tests;

/// <summary>
/// The control channel between two real processes (tests/ControlPeer): the memfd crosses with SCM_RIGHTS, the
/// kernel's credentials name the peer, SIGSTOP is not a death, kill -9 is one (and how fast it is seen), a killed
/// guest's socket is stale for the next, another user is refused. One at a time (<see cref="ProcessCollection"/>)
/// so the timings are not shared with busy-polling pairs.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed unsafe class ControlCrossProcessTests(ITestOutputHelper output) : IDisposable
{
    private const int KillRounds = 10;
    private static readonly TimeSpan Deadline = ControlScope.Deadline;

    private readonly ControlScope _scope = new();

    [Fact]
    public void Device_InAnotherProcess_MapsTheMemfdAndWritesGuestMemory()
    {
        var listener = _scope.Listen();
        using var peer = StartPeer("device");

        var attached = ControlScope.PumpUntil(listener, ControlEventKind.DeviceAttached);

        Assert.Equal(peer.Pid, attached.Peer.Pid);
        Assert.Equal($"attached 1 {ControlScope.RegionLength} True", peer.Expect("attached", Deadline));
        peer.Expect("wrote", Deadline);
        Assert.Equal((ulong)peer.Pid, *(ulong*)_scope.Region.Address);
    }

    [Fact]
    public void Observer_InAnotherProcess_ReadsTheRegionReadOnly()
    {
        var listener = _scope.Listen();
        *(ulong*)(_scope.Region.Address + 8) = 24301;
        using var peer = StartPeer("observer");

        ControlScope.PumpUntil(listener, ControlEventKind.ObserverAttached);

        Assert.Equal($"attached 0 {ControlScope.RegionLength} False", peer.Expect("attached", Deadline));
        Assert.Equal("read 24301", peer.Expect("read", Deadline));
    }

    [Fact]
    public void Device_StoppedWithSigstop_StaysAliveThenLeavesWithBye()
    {
        var listener = _scope.Listen();
        using var peer = StartPeer("device");
        ControlScope.PumpUntil(listener, ControlEventKind.DeviceAttached);
        peer.Expect("wrote", Deadline);
        var device = listener.Device!;

        peer.Stop();
        var stopped = Stopwatch.StartNew();
        while (stopped.Elapsed < TimeSpan.FromSeconds(1))
        {
            Assert.True(device.Check().IsAlive);
            Thread.Sleep(10);
        }
        Assert.True(device.Wait(TimeSpan.FromSeconds(1)).IsAlive);
        Assert.False(listener.TryPoll(out var e), $"unexpected {e}");
        peer.Continue();
        peer.Send("bye");

        Assert.Equal(new PeerStatus(PeerState.Left, ControlReason.Stopping, "the peer was asked to stop"), device.Wait(Deadline));
        Assert.Equal(0, peer.WaitForExit(Deadline));
    }

    [Fact]
    public void Device_KilledWithSigkill_DiedSeenWithin1sAndTheNextDeviceGetsTheNextGeneration()
    {
        var listener = _scope.Listen();
        var waits = new List<double>();
        var polls = new List<double>();
        for (int round = 1; round <= KillRounds; round++)
        {
            using var peer = StartPeer("device");
            var attached = ControlScope.PumpUntil(listener, ControlEventKind.DeviceAttached);
            Assert.Equal((ulong)round, attached.Generation);
            peer.Expect("wrote", Deadline);
            var device = listener.Device!;
            bool blocking = round % 2 == 1;

            peer.KillNow();
            long killed = Stopwatch.GetTimestamp();
            var status = blocking ? device.Wait(Deadline) : PollUntilGone(device);
            var latency = Stopwatch.GetElapsedTime(killed);

            Assert.Equal(PeerState.Died, status.State);
            Assert.InRange(latency, TimeSpan.Zero, TimeSpan.FromSeconds(1));
            (blocking ? waits : polls).Add(latency.TotalMilliseconds);
            Assert.Equal(ControlEventKind.DeviceGone, ControlScope.PumpUntil(listener, ControlEventKind.DeviceGone).Kind);
            listener.DetachDevice(ControlReason.Detached, "reclaimed after its death");
        }
        output.WriteLine($"kill -9 -> Died, blocking Wait: {Describe(waits)}");
        output.WriteLine($"kill -9 -> Died, Check() every 1 ms: {Describe(polls)}");
    }

    [Fact]
    public void Guest_KilledWithSigkill_DeviceSeesDiedAndTheNextGuestReplacesTheStaleSocket()
    {
        using var guest = StartPeer("guest", $"{ControlScope.RegionLength}");
        guest.Expect("listening", Deadline);
        var busy = Assert.Throws<ControlException>(() => ControlListener.Bind(_scope.SocketPath, _scope.Region));
        Assert.Equal($"{_scope.SocketPath} is in use by a live guest (pid {guest.Pid})", busy.Message);
        using var session = ControlClient.Connect(_scope.SocketPath, PeerRole.Device, Deadline);
        Assert.Equal(0x5EEDUL, *(ulong*)(session.Memory.Address + 8));
        Assert.Equal(guest.Pid, session.Connection.Peer.Pid);

        guest.KillNow();
        long killed = Stopwatch.GetTimestamp();
        var status = session.Connection.Wait(Deadline);
        var latency = Stopwatch.GetElapsedTime(killed);
        guest.WaitForExit(Deadline);

        Assert.Equal(PeerState.Died, status.State);
        output.WriteLine($"guest kill -9 -> device sees Died in {latency.TotalMilliseconds:0.00} ms");
        Assert.True(File.Exists(_scope.SocketPath), "kill -9 leaves the socket file behind");
        var next = _scope.Listen();
        Assert.True(next.ReplacedStaleSocket);
        Assert.Equal(0x5EEDUL, *(ulong*)(session.Memory.Address + 8)); // the dead guest's memory stays mapped, no SIGBUS
    }

    [RootFact]
    public void Device_OfAnotherUser_RefusedAsWrongUidEvenWithTheSocketOpenToAll()
    {
        var listener = _scope.Listen();
        Assert.Equal(0, Ring.Native.Files.Chmod(_scope.SocketPath, 0x1B6)); // 0666: only the uid check stands in the way
        using var peer = ControlPeerProcess.Start(["device", _scope.SocketPath], uid: 65534);

        var refused = ControlScope.PumpUntil(listener, ControlEventKind.Refused);

        Assert.Equal(ControlReason.WrongUid, refused.Status.Reason);
        Assert.Equal(65534u, refused.Peer.Uid);
        Assert.StartsWith("error WrongUid ", peer.Expect("error", Deadline));
        Assert.Equal(2, peer.WaitForExit(Deadline));
        Assert.Null(listener.Device);
    }

    public void Dispose() => _scope.Dispose();

    private ControlPeerProcess StartPeer(string role, params string[] more) => ControlPeerProcess.Start([role, _scope.SocketPath, .. more]);

    private static PeerStatus PollUntilGone(ControlConnection device)
    {
        var clock = Stopwatch.StartNew();
        PeerStatus status;
        while ((status = device.Check()).IsAlive && clock.Elapsed < Deadline)
            Thread.Sleep(1);
        return status;
    }

    private static string Describe(List<double> milliseconds)
    {
        milliseconds.Sort();
        return $"n={milliseconds.Count}, min {milliseconds[0]:0.00} ms, median {milliseconds[milliseconds.Count / 2]:0.00} ms, max {milliseconds[^1]:0.00} ms";
    }
}
