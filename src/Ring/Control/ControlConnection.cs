using Ring.Native;

namespace Ring.Control;

/// <summary>
/// One end of an established control connection: the guest's end of a device or observer, or a peer's end of its
/// guest. After the handshake it carries nothing but a final BYE, so its only job is to say, cheaply, whether the
/// other side is still there (<see cref="Check"/>) and to say goodbye (<see cref="SendBye"/>).
/// </summary>
/// <remarks>
/// <see cref="Check"/> and <see cref="Wait"/> may be called from any thread (a lock orders them; it is uncontended
/// in practice). Once the peer is not alive the status is final and <see cref="Check"/> makes no more system calls.
/// </remarks>
internal sealed class ControlConnection : IDisposable
{
    /// <summary>The events that mean "look": a message (perhaps BYE) or the hang-up's end-of-file.</summary>
    private const short WatchEvents = UnixSocket.POLLIN | UnixSocket.POLLRDHUP;

    /// <summary>Longest slice of a blocking wait, so cancellation is seen within it. A hang-up ends a slice at once.</summary>
    private const int WaitSliceMilliseconds = 50;

    private readonly FileDescriptor _socket;
    private readonly Lock _gate = new();
    private PeerStatus _status = PeerStatus.Alive;

    internal ControlConnection(FileDescriptor socket, PeerCredentials peer)
    {
        _socket = socket;
        Peer = peer;
    }

    /// <summary>The other process, from <c>SO_PEERCRED</c>.</summary>
    public PeerCredentials Peer { get; }

    /// <summary>The socket, for the listener's poll set.</summary>
    internal FileDescriptor Socket => _socket;

    /// <summary>
    /// Whether the peer is still there, without blocking: one <c>poll(fd, 0)</c> while nothing has happened.
    /// Messages queued before a hang-up are read first, so a BYE followed by close is <see cref="PeerState.Left"/>
    /// and a close alone is <see cref="PeerState.Died"/>.
    /// </summary>
    public PeerStatus Check()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_socket.IsClosed, this);
            if (!_status.IsAlive)
                return _status;
            short events = UnixSocket.PollOne(_socket, WatchEvents, 0);
            return events == 0 ? _status : CheckSlow();
        }
    }

    /// <summary>
    /// Blocks until the peer is not alive or <paramref name="timeout"/> passes (then returns alive). The kernel
    /// wakes the wait at the hang-up; cancellation is seen within 50 ms.
    /// </summary>
    public PeerStatus Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long deadline = Environment.TickCount64 + (long)Math.Max(0, timeout.TotalMilliseconds);
        while (true)
        {
            var status = Check();
            long remaining = deadline - Environment.TickCount64;
            if (!status.IsAlive || remaining <= 0)
                return status;
            cancellationToken.ThrowIfCancellationRequested();
            UnixSocket.PollOne(_socket, WatchEvents, (int)Math.Min(remaining, WaitSliceMilliseconds));
        }
    }

    /// <summary>
    /// Says we are leaving on purpose; the caller disposes next. Returns false when BYE could not be queued (the
    /// peer is gone or not reading): it will then see a plain hang-up.
    /// </summary>
    public bool SendBye(ControlReason reason, string text) => Send(new ByeMessage(reason, text), null, out _);

    /// <summary>Sends one message, with <paramref name="passed"/> attached when given. Never blocks.</summary>
    internal bool Send(ControlMessage message, FileDescriptor? passed, out string error)
    {
        Span<byte> buffer = stackalloc byte[ControlProtocol.MaxMessageLength];
        int length = MessageCodec.Encode(message, buffer);
        int errno = UnixSocket.Send(_socket, buffer[..length], passed);
        error = errno == 0 ? "" : $"sending {message.Type} failed: {Errno.Describe(errno)}";
        return errno == 0;
    }

    /// <summary>
    /// Receives and validates one message without blocking. A REGION must carry exactly one descriptor (handed
    /// out in <paramref name="passed"/>, owned by the caller); any other message none. Unwanted descriptors are
    /// closed here.
    /// </summary>
    internal ReceiveOutcome Receive(out ControlMessage? message, out FileDescriptor? passed, out ControlReason problem, out string error)
    {
        message = null;
        problem = ControlReason.BadMessage;
        error = "";
        Span<byte> buffer = stackalloc byte[ControlProtocol.MaxMessageLength + 1];
        int errno = UnixSocket.Receive(_socket, buffer, out int length, out passed, out int passedCount, out bool truncated);
        if (errno is Errno.ECONNRESET)
        {
            // A peer that closed with our message unread (a guest refusing a HELLO it never read) leaves ECONNRESET
            // pending, and the kernel reports it before the messages queued ahead of the close: reading clears
            // it, so read again for the peer's last word (its REFUSE) before calling it a hang-up.
            errno = UnixSocket.Receive(_socket, buffer, out length, out passed, out passedCount, out truncated);
            if (errno is Errno.ECONNRESET or Errno.EAGAIN)
                return ReceiveOutcome.HangUp;
        }
        if (errno == Errno.EAGAIN)
            return ReceiveOutcome.Nothing;
        if (errno != 0)
        {
            problem = ControlReason.SystemError;
            error = $"receiving failed: {Errno.Describe(errno)}";
            return ReceiveOutcome.Failed;
        }
        if (length == 0 && passedCount == 0)
            return IsHungUp() ? ReceiveOutcome.HangUp : Malformed("empty message", ref passed, out error);
        if (truncated || length > ControlProtocol.MaxMessageLength)
            return Malformed($"message longer than {ControlProtocol.MaxMessageLength} bytes or with more than "
                + $"{UnixSocket.MaxReceivedDescriptors} descriptors", ref passed, out error);
        if (!MessageCodec.TryDecode(buffer[..length], out message, out problem, out error))
            return Malformed(error, ref passed, out error);
        int expected = message!.Type == MessageType.Region ? 1 : 0;
        if (passedCount != expected)
        {
            message = null;
            problem = ControlReason.BadMessage;
            return Malformed($"message carried {passedCount} descriptors, {expected} expected", ref passed, out error);
        }
        return ReceiveOutcome.Message;
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    /// <summary>Something is readable or the socket hung up: settle the status (caller holds the lock).</summary>
    private PeerStatus CheckSlow()
    {
        var outcome = Receive(out var message, out var passed, out var problem, out string error);
        passed?.Dispose();
        _status = outcome switch
        {
            ReceiveOutcome.Nothing => PeerStatus.Alive,
            ReceiveOutcome.HangUp => new PeerStatus(PeerState.Died, ControlReason.None, "its socket hung up without BYE"),
            ReceiveOutcome.Message when message is ByeMessage bye => new PeerStatus(PeerState.Left, bye.Reason, bye.Text),
            ReceiveOutcome.Message => new PeerStatus(PeerState.Broken, ControlReason.BadMessage, $"unexpected {message!.Type} after the handshake"),
            _ => new PeerStatus(PeerState.Broken, problem, error),
        };
        return _status;
    }

    /// <summary>Whether the peer has shut its sending side: tells a real end-of-file from an empty message.</summary>
    private bool IsHungUp() =>
        (UnixSocket.PollOne(_socket, UnixSocket.POLLRDHUP, 0) & (UnixSocket.POLLRDHUP | UnixSocket.POLLHUP)) != 0;

    private static ReceiveOutcome Malformed(string description, ref FileDescriptor? passed, out string error)
    {
        passed?.Dispose();
        passed = null;
        error = description;
        return ReceiveOutcome.Malformed;
    }
}
