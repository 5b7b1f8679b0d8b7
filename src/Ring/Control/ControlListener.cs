using Ring.Native;

namespace Ring.Control;

// Design: the control channel, as DPDK memif and vhost-user do it.
//
// Who listens. The guest (the consumer, which owns guest memory) creates the region as a sealed memfd
// (SealedMemory) and listens on a Unix-domain socket at a path its caller names. It is the only listener: a flock
// on "<path>.lock", held for its life and dropped by the kernel however it exits, makes the role exclusive; a
// socket file found while holding the lock is a crashed guest's and is replaced (ReplacedStaleSocket says so).
//
// The handshake. A peer connects and sends HELLO (magic, version, role device|observer, its pid). The guest takes
// the peer's pid and uid from the kernel (SO_PEERCRED), never from HELLO, and answers once: REGION, with the memfd
// passed as SCM_RIGHTS (read-write to the one device, a read-only reopen to each observer), its length, and the
// session generation, which goes up by one for every device accepted; or REFUSE, with a reason and one line
// ("a device is already attached (pid N)", another uid, a bad version, a malformed message, no HELLO in time),
// and the guest closes. The receiver checks the memfd's seals and size before it maps it. Every message is
// decoded as hostile input (MessageCodec): a bad one becomes a reason and a line, never an exception or a crash.
//
// Death versus leaving. After the handshake the connection stays open and silent for the whole session: its only
// remaining message is BYE (reason, text), sent by a side that stops on purpose just before it closes. The kernel
// closes every descriptor of a process that exits, however it exits (kill -9, a crash), and the other end then
// reads as hung up (POLLHUP/POLLRDHUP, end-of-file). Messages queued before a hang-up are always read before it,
// so BYE then close is Left, close alone is Died. Nothing the peer wrote in shared memory is consulted, so a
// corrupted header can be reported as corruption but never taken for a death. A stopped (SIGSTOP), debugged or
// GC-paused process keeps its descriptors open: it is Alive, and a pause is never a death. Checking costs one
// poll(fd, 0) while nothing happens (ControlConnection.Check).
//
// Why SOCK_SEQPACKET. It is connection-oriented, so the kernel reports the hang-up (a datagram socket has no
// peer to lose) and connect to a dead guest's socket fails with ECONNREFUSED (how a stale file is recognised);
// and it keeps message boundaries, so one receive is one message, with no framing or partial reads as a stream
// would need, an oversize message is flagged (MSG_TRUNC) rather than split, and SCM_RIGHTS arrives with exactly
// the message it was sent with.

/// <summary>
/// The guest's end of the control channel: binds the socket path exclusively, accepts one device at a time and a
/// few observers, and hands each the region. Driven by polling (<see cref="TryPoll"/>, one <c>poll</c> system
/// call while nothing happens) or by <see cref="WaitForEvent"/>; it never blocks on a peer.
/// </summary>
/// <remarks>
/// Not thread-safe: one thread drives the listener. The <see cref="Device"/> connection's
/// <see cref="ControlConnection.Check"/> may be called from any thread. The listener does not own the region.
/// </remarks>
internal sealed class ControlListener : IDisposable
{
    private const int Backlog = 16;
    private const int WaitSliceMilliseconds = 50;
    private const short WatchEvents = UnixSocket.POLLIN | UnixSocket.POLLRDHUP;

    /// <summary>How long the listening socket is left out of the poll set after accept failed (EMFILE, say), so a
    /// socket that stays readable cannot spin the caller's wait.</summary>
    private const long AcceptBackoffMilliseconds = 100;

    private readonly FileDescriptor _socket;
    private readonly FileStatus _socketFile;
    private readonly ListenerLock _lock;
    private readonly SealedMemory _region;
    private readonly FileDescriptor _readOnlyRegion;
    private readonly ControlListenerOptions _options;
    private readonly uint _ownUid = Files.EffectiveUid;
    private readonly List<Pending> _pending = [];
    private readonly List<ControlConnection> _observers = [];
    private readonly Queue<ControlEvent> _events = new();
    private UnixSocket.PollEntry[] _pollSet = new UnixSocket.PollEntry[8];
    private readonly HeldHandles _held = new(8);
    private ControlConnection? _device;
    private bool _deviceGoneReported;
    private long _acceptResumesAt;

    private ControlListener(string path, FileDescriptor socket, FileStatus socketFile, ListenerLock listenerLock,
        SealedMemory region, FileDescriptor readOnlyRegion, ControlListenerOptions options, bool replacedStale)
    {
        SocketPath = path;
        _socket = socket;
        _socketFile = socketFile;
        _lock = listenerLock;
        _region = region;
        _readOnlyRegion = readOnlyRegion;
        _options = options;
        ReplacedStaleSocket = replacedStale;
    }

    /// <summary>The socket path, absolute.</summary>
    public string SocketPath { get; }

    /// <summary>A socket file left by a guest that exited was found and replaced (the caller may say so).</summary>
    public bool ReplacedStaleSocket { get; }

    /// <summary>The current device session: 0 before the first device, then one more per device accepted.</summary>
    public ulong Generation { get; private set; }

    /// <summary>The device connection, from its attach until <see cref="DetachDevice"/>; null when the slot is free.</summary>
    public ControlConnection? Device => _device;

    /// <summary>Observers attached now.</summary>
    public int ObserverCount => _observers.Count;

    /// <summary>
    /// Binds <paramref name="socketPath"/> for <paramref name="region"/>: takes the guest lock, replaces a stale
    /// socket file, creates the socket with mode 0600 and listens. Throws <see cref="ControlException"/>:
    /// <see cref="ControlReason.GuestAlreadyListening"/> when a live guest holds the path,
    /// <see cref="ControlReason.SocketPathRefused"/> for a symlink, a non-socket, another user's file or a path
    /// too long, <see cref="ControlReason.SystemError"/> for a failed call.
    /// </summary>
    public static ControlListener Bind(string socketPath, SealedMemory region, ControlListenerOptions? options = null)
    {
        string path = Path.GetFullPath(socketPath);
        Control.SocketPath.Inspect(path, allowRootOwner: false, out _); // a bad path is refused before the lock file is made
        var listenerLock = ListenerLock.TryAcquire(path + ".lock") ?? throw InUse(path);
        FileDescriptor? socket = null;
        bool bound = false;
        try
        {
            bool replaced = RemoveStale(path);
            Check(UnixSocket.Create(out socket), $"creating a socket for {path}");
            int errno = UnixSocket.Bind(socket!, path);
            if (errno == Errno.EADDRINUSE) // a file appeared since RemoveStale: someone binding without the lock
                throw InUse(path);
            Check(errno, $"binding {path}");
            bound = true;
            // bind made the file with the umask's mode; nobody can connect before listen, so tighten it first.
            Check(Files.Chmod(path, Files.UserReadWrite), $"chmod 0600 {path}");
            Check(Files.StatLink(path, out var socketFile), $"lstat {path}");
            Check(UnixSocket.Listen(socket!, Backlog), $"listening on {path}");
            var readOnlyRegion = region.OpenReadOnly();
            return new ControlListener(path, socket!, socketFile, listenerLock, region, readOnlyRegion,
                options ?? ControlListenerOptions.Default, replaced);
        }
        catch
        {
            socket?.Dispose();
            if (bound) // the file is the one we made: we hold the lock, so nobody else can have replaced it
                Files.Unlink(path);
            listenerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Does whatever is ready without blocking (accepts connections, answers HELLOs, notices peers gone, refuses
    /// silent connections past their deadline) and returns the next event, if any. Call it until it returns false.
    /// </summary>
    public bool TryPoll(out ControlEvent controlEvent)
    {
        ObjectDisposedException.ThrowIf(_socket.IsClosed, this);
        if (_events.Count == 0)
            PollOnce(0);
        return _events.TryDequeue(out controlEvent);
    }

    /// <summary>Like <see cref="TryPoll"/>, but waits up to <paramref name="timeout"/> for an event.</summary>
    public bool WaitForEvent(TimeSpan timeout, out ControlEvent controlEvent, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_socket.IsClosed, this);
        long deadline = Environment.TickCount64 + (long)Math.Max(0, timeout.TotalMilliseconds);
        while (!_events.TryDequeue(out controlEvent))
        {
            cancellationToken.ThrowIfCancellationRequested();
            long remaining = deadline - Environment.TickCount64;
            PollOnce((int)Math.Clamp(remaining, 0, WaitSliceMilliseconds));
            if (remaining <= 0 && _events.Count == 0)
                return false;
        }
        return true;
    }

    /// <summary>
    /// Frees the device slot so a new device can attach (it gets the next generation): the caller has taken back
    /// what the old device held. A device still alive is told BYE with <paramref name="reason"/> first.
    /// </summary>
    public void DetachDevice(ControlReason reason, string text)
    {
        if (_device is null)
            return;
        if (_device.Check().IsAlive)
            _device.SendBye(reason, text);
        _device.Dispose();
        _device = null;
    }

    /// <inheritdoc />
    /// <remarks>Says BYE (<see cref="ControlReason.GuestShuttingDown"/>) to the device and observers, closes every
    /// connection, removes the socket file if it is still ours, then releases the guest lock.</remarks>
    public void Dispose()
    {
        if (_socket.IsClosed)
            return;
        foreach (var connection in _observers.Append(_device).OfType<ControlConnection>())
        {
            if (connection.Check().IsAlive)
                connection.SendBye(ControlReason.GuestShuttingDown, "the guest is shutting down");
            connection.Dispose();
        }
        foreach (var pending in _pending)
            pending.Connection.Dispose();
        _observers.Clear();
        _pending.Clear();
        _device = null;
        _socket.Dispose();
        if (Files.StatLink(SocketPath, out var named) == 0 && named.IsSameFileAs(_socketFile))
            Files.Unlink(SocketPath);
        _readOnlyRegion.Dispose();
        _lock.Dispose();
    }

    /// <summary>One pass: a poll over the listening socket and every connection, then what it found.</summary>
    private void PollOnce(int timeoutMilliseconds)
    {
        long now = Environment.TickCount64;
        bool listening = now >= _acceptResumesAt;
        bool watchDevice = _device is not null && !_deviceGoneReported;
        int pendingCount = _pending.Count, observerCount = _observers.Count;
        int count = 1 + pendingCount + observerCount + (watchDevice ? 1 : 0);
        if (_pollSet.Length < count)
            _pollSet = new UnixSocket.PollEntry[count * 2];
        var set = _pollSet.AsSpan(0, count);
        try
        {
            set[0] = Entry(_socket, listening ? UnixSocket.POLLIN : (short)0, skip: !listening);
            for (int i = 0; i < pendingCount; i++)
                set[1 + i] = Entry(_pending[i].Connection.Socket, WatchEvents);
            for (int i = 0; i < observerCount; i++)
                set[1 + pendingCount + i] = Entry(_observers[i].Socket, WatchEvents);
            if (watchDevice)
                set[count - 1] = Entry(_device!.Socket, WatchEvents);
            int errno = UnixSocket.Poll(set, timeoutMilliseconds, out int ready);
            if (errno != 0)
                throw new ControlException(ControlReason.SystemError, $"poll on {SocketPath} failed: {Errno.Describe(errno)}");
        }
        finally
        {
            _held.ReleaseAll();
        }
        // Highest index first, so removing one does not move those still to visit.
        for (int i = pendingCount - 1; i >= 0; i--)
            if (set[1 + i].Returned != 0)
                Answer(_pending[i]);
        for (int i = observerCount - 1; i >= 0; i--)
            if (set[1 + pendingCount + i].Returned != 0)
                CheckObserver(_observers[i]);
        if (watchDevice && set[count - 1].Returned != 0)
            CheckDevice();
        ExpireSilent(Environment.TickCount64);
        if (set[0].Returned != 0)
            AcceptAll();
    }

    private UnixSocket.PollEntry Entry(FileDescriptor fd, short events, bool skip = false)
    {
        _held.Add(fd);
        return new UnixSocket.PollEntry { Fd = skip ? -1 : fd.Number, Events = events };
    }

    private void AcceptAll()
    {
        while (true)
        {
            int errno = UnixSocket.Accept(_socket, out var socket);
            if (errno == Errno.EAGAIN)
                return;
            if (errno != 0)
            {
                // Out of descriptors or memory: the connection waits in the backlog; look again a little later.
                _acceptResumesAt = Environment.TickCount64 + AcceptBackoffMilliseconds;
                return;
            }
            errno = UnixSocket.PeerCredentials(socket!, out int pid, out uint uid, out uint gid);
            if (errno != 0)
            {
                socket!.Dispose();
                continue;
            }
            var connection = new ControlConnection(socket!, new PeerCredentials(pid, uid, gid));
            if (!connection.Peer.IsTrustedBy(_ownUid))
                Refuse(connection, ControlReason.WrongUid, $"the peer runs as uid {uid}; this guest admits only uid {_ownUid} and root");
            else if (_pending.Count >= _options.MaxPending)
                Refuse(connection, ControlReason.TooManyPeers, $"{_pending.Count} connections are already waiting to say HELLO");
            else
                _pending.Add(new Pending(connection, Environment.TickCount64 + (long)_options.HelloTimeout.TotalMilliseconds));
        }
    }

    /// <summary>A connection waiting for HELLO became readable: admit it, refuse it, or drop it if it hung up.</summary>
    private void Answer(Pending pending)
    {
        var connection = pending.Connection;
        var outcome = connection.Receive(out var message, out var passed, out var problem, out string error);
        passed?.Dispose();
        switch (outcome)
        {
            case ReceiveOutcome.Nothing:
                return;
            case ReceiveOutcome.HangUp: // gave up or was only probing whether we live: nothing to say
                _pending.Remove(pending);
                connection.Dispose();
                return;
            case ReceiveOutcome.Message when message is HelloMessage hello:
                _pending.Remove(pending);
                Admit(connection, hello);
                return;
            case ReceiveOutcome.Message:
                problem = ControlReason.BadMessage;
                error = $"expected HELLO, got {message!.Type}";
                break;
        }
        _pending.Remove(pending);
        Refuse(connection, problem, error);
    }

    private void Admit(ControlConnection connection, HelloMessage hello)
    {
        if (hello.Role == PeerRole.Observer)
        {
            if (_observers.Count >= _options.MaxObservers)
                Refuse(connection, ControlReason.TooManyPeers, $"{_observers.Count} observers are already attached (the limit)");
            else if (Offer(connection, Generation, RegionAccess.ReadOnly, _readOnlyRegion))
            {
                _observers.Add(connection);
                _events.Enqueue(new ControlEvent(ControlEventKind.ObserverAttached, connection.Peer, Generation, Claimed(connection, hello)));
            }
            return;
        }
        if (_device is not null)
        {
            var status = _device.Check();
            if (status.IsAlive)
                Refuse(connection, ControlReason.DeviceAlreadyAttached, $"a device is already attached (pid {_device.Peer.Pid})");
            else
                Refuse(connection, ControlReason.DeviceDetaching, $"the previous device (pid {_device.Peer.Pid}) {status}; the guest has not released it yet, retry");
            return;
        }
        ulong generation = Generation + 1;
        if (!Offer(connection, generation, RegionAccess.ReadWrite, _region.Descriptor))
            return;
        Generation = generation;
        _device = connection;
        _deviceGoneReported = false;
        _events.Enqueue(new ControlEvent(ControlEventKind.DeviceAttached, connection.Peer, generation, Claimed(connection, hello)));
    }

    /// <summary>Alive, with a note when HELLO's pid differs from the kernel's (the peer is in another pid namespace).</summary>
    private static PeerStatus Claimed(ControlConnection connection, HelloMessage hello) =>
        hello.ClaimedPid == connection.Peer.Pid ? PeerStatus.Alive
            : PeerStatus.Alive with { Text = $"it calls itself pid {hello.ClaimedPid}: another pid namespace" };

    /// <summary>Sends REGION with <paramref name="memfd"/>; a peer that cannot take it (gone, not reading) is dropped.</summary>
    private bool Offer(ControlConnection connection, ulong generation, RegionAccess access, FileDescriptor memfd)
    {
        if (connection.Send(new RegionMessage(generation, _region.Length, access), memfd, out _))
            return true;
        connection.Dispose();
        return false;
    }

    private void CheckObserver(ControlConnection observer)
    {
        var status = observer.Check();
        if (status.IsAlive)
            return;
        _observers.Remove(observer);
        observer.Dispose();
        _events.Enqueue(new ControlEvent(ControlEventKind.ObserverGone, observer.Peer, Generation, status));
    }

    private void CheckDevice()
    {
        var status = _device!.Check();
        if (status.IsAlive)
            return;
        _deviceGoneReported = true;
        _events.Enqueue(new ControlEvent(ControlEventKind.DeviceGone, _device.Peer, Generation, status));
    }

    private void ExpireSilent(long now)
    {
        for (int i = _pending.Count - 1; i >= 0; i--)
        {
            if (now < _pending[i].Deadline)
                continue;
            var connection = _pending[i].Connection;
            _pending.RemoveAt(i);
            Refuse(connection, ControlReason.HelloTimeout, $"no HELLO within {_options.HelloTimeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>Sends REFUSE (best effort: the peer may be gone), closes, and reports it.</summary>
    private void Refuse(ControlConnection connection, ControlReason reason, string text)
    {
        connection.Send(new RefuseMessage(reason, text), null, out _);
        connection.Dispose();
        _events.Enqueue(new ControlEvent(ControlEventKind.Refused, connection.Peer, Generation, new PeerStatus(PeerState.Broken, reason, text)));
    }

    /// <summary>Removes a socket file left by a guest that exited; true if there was one. Called holding the lock.</summary>
    private static bool RemoveStale(string path)
    {
        if (!Control.SocketPath.Inspect(path, allowRootOwner: false, out _))
            return false;
        // The lock says no Ring guest lives here; a connect that succeeds means something listens without it.
        Check(UnixSocket.Create(out var probe), "creating a probe socket");
        using (probe)
        {
            int errno = UnixSocket.Connect(probe!, path);
            if (errno is 0 or Errno.EAGAIN)
                throw InUse(path);
        }
        Check(Files.Unlink(path), $"removing stale socket {path}");
        return true;
    }

    /// <summary>"in use by a live guest", with its pid when a probe connect can learn it from the kernel.</summary>
    private static ControlException InUse(string path)
    {
        string who = "a live guest";
        if (UnixSocket.Create(out var probe) == 0)
        {
            using (probe)
            {
                if (UnixSocket.Connect(probe!, path) == 0 && UnixSocket.PeerCredentials(probe!, out int pid, out _, out _) == 0)
                    who = $"a live guest (pid {pid})";
            }
        }
        return new ControlException(ControlReason.GuestAlreadyListening, $"{path} is in use by {who}");
    }

    private static void Check(int errno, string what)
    {
        if (errno != 0)
            throw new ControlException(ControlReason.SystemError, $"{what} failed: {Errno.Describe(errno)}");
    }

    /// <summary>A connection that has not said HELLO yet, and when it must have.</summary>
    private sealed record Pending(ControlConnection Connection, long Deadline);
}
