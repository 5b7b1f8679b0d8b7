using System.Diagnostics;
using Ring.Native;

namespace Ring.Control;

/// <summary>
/// The device's (or an observer's) side of the handshake: connect to the guest's socket, say HELLO, receive the
/// region or a refusal. The device may start before the guest, and a guest may be between devices, so it retries
/// until its deadline while there is no socket, nobody listening on it, or the guest is still releasing the
/// previous device.
/// </summary>
internal static class ControlClient
{
    /// <summary>Pause between attempts while waiting for a guest.</summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>Longest slice of a wait for the answer, so cancellation is seen within it.</summary>
    private const int WaitSliceMilliseconds = 50;

    /// <summary>
    /// Attaches to the guest listening at <paramref name="socketPath"/> as <paramref name="role"/>, within
    /// <paramref name="timeout"/>. Throws <see cref="ControlException"/> when refused (its reason and the guest's
    /// line), when the answer or the region fails validation, or at the deadline
    /// (<see cref="ControlReason.Timeout"/>); <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    public static ControlSession Connect(string socketPath, PeerRole role, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        string path = Path.GetFullPath(socketPath);
        // Stopwatch, not Environment.TickCount64: the tick count is coarse (a jiffy on Linux), so a deadline on it can
        // come a few milliseconds before the timeout asked for.
        long deadline = Stopwatch.GetTimestamp() + (long)(Math.Max(0, timeout.TotalSeconds) * Stopwatch.Frequency);
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var session = TryAttach(path, role, deadline, cancellationToken, out string waitingFor);
            if (session is not null)
                return session;
            long remaining = RemainingMilliseconds(deadline);
            if (remaining <= 0)
                throw new ControlException(ControlReason.Timeout, $"no guest accepted a {Name(role)} at {path} within {timeout.TotalSeconds:0.###} s: {waitingFor}");
            cancellationToken.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(Math.Min(remaining, RetryInterval.TotalMilliseconds)));
        }
    }

    /// <summary>One attempt: a session, or null with what we are waiting for (worth retrying); throws when it is not.</summary>
    private static ControlSession? TryAttach(string path, PeerRole role, long deadline, CancellationToken cancellationToken, out string waitingFor)
    {
        if (!SocketPath.Inspect(path, allowRootOwner: true, out _))
        {
            waitingFor = "the socket does not exist (is the guest started?)";
            return null;
        }
        Check(UnixSocket.Create(out var socket), "creating a socket");
        int errno = UnixSocket.Connect(socket!, path);
        if (errno is Errno.ENOENT or Errno.ECONNREFUSED or Errno.EAGAIN)
        {
            socket!.Dispose();
            waitingFor = errno == Errno.EAGAIN ? "the guest's backlog is full" : "nobody listens on the socket (a stale file?)";
            return null;
        }
        if (errno != 0)
        {
            socket!.Dispose();
            throw new ControlException(ControlReason.SystemError, $"connecting to {path} failed: {Errno.Describe(errno)}");
        }
        errno = UnixSocket.PeerCredentials(socket!, out int pid, out uint uid, out uint gid);
        var connection = new ControlConnection(socket!, new PeerCredentials(pid, uid, gid));
        try
        {
            if (errno != 0)
                throw new ControlException(ControlReason.SystemError, $"SO_PEERCRED on {path} failed: {Errno.Describe(errno)}");
            if (!connection.Peer.IsTrustedBy(Files.EffectiveUid))
                throw new ControlException(ControlReason.WrongUid, $"the guest at {path} (pid {pid}) runs as uid {uid}; expected uid {Files.EffectiveUid} or root");
            // A guest may refuse at connect (another uid, too many waiting) and close before our HELLO lands:
            // then the send fails, but its REFUSE is queued for us, so read the answer either way.
            connection.Send(new HelloMessage(role, Environment.ProcessId), null, out _);
            var session = AwaitAnswer(connection, path, role, deadline, cancellationToken, out waitingFor);
            if (session is null)
                connection.Dispose();
            return session;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Waits for REGION or REFUSE on a connection that has sent HELLO.</summary>
    private static ControlSession? AwaitAnswer(ControlConnection connection, string path, PeerRole role, long deadline,
        CancellationToken cancellationToken, out string waitingFor)
    {
        int pid = connection.Peer.Pid;
        waitingFor = "";
        while (true)
        {
            var outcome = connection.Receive(out var message, out var passed, out var problem, out string error);
            switch (outcome)
            {
                case ReceiveOutcome.Nothing:
                    long remaining = RemainingMilliseconds(deadline);
                    if (remaining <= 0)
                        throw new ControlException(ControlReason.Timeout, $"the guest at {path} (pid {pid}) did not answer HELLO in time");
                    cancellationToken.ThrowIfCancellationRequested();
                    UnixSocket.PollOne(connection.Socket, UnixSocket.POLLIN | UnixSocket.POLLRDHUP, (int)Math.Min(remaining, WaitSliceMilliseconds));
                    continue;
                case ReceiveOutcome.HangUp:
                    waitingFor = $"the guest (pid {pid}) hung up without answering";
                    return null;
                case ReceiveOutcome.Malformed or ReceiveOutcome.Failed:
                    throw new ControlException(problem, $"bad answer from the guest at {path} (pid {pid}): {error}");
            }
            switch (message)
            {
                case RegionMessage region:
                    return Map(connection, region, passed!, role, path);
                case RefuseMessage { Reason: ControlReason.DeviceDetaching } refuse:
                    waitingFor = refuse.Text;
                    return null;
                case RefuseMessage refuse:
                    throw new ControlException(refuse.Reason, $"the guest at {path} (pid {pid}) refused this {Name(role)}: {refuse.Text}");
                case ByeMessage bye:
                    waitingFor = $"the guest (pid {pid}) is leaving: {bye.Text}";
                    return null;
                default:
                    throw new ControlException(ControlReason.BadMessage, $"bad answer from the guest at {path} (pid {pid}): {message!.Type} instead of REGION or REFUSE");
            }
        }
    }

    /// <summary>Checks REGION against what we asked for and maps the region; tells the guest BYE if we refuse it.</summary>
    private static ControlSession Map(ControlConnection connection, RegionMessage region, FileDescriptor memfd, PeerRole role, string path)
    {
        var expected = role == PeerRole.Device ? RegionAccess.ReadWrite : RegionAccess.ReadOnly;
        try
        {
            if (region.Access != expected)
                throw new ControlException(ControlReason.BadMessage, $"REGION offers {region.Access} access to a {Name(role)}");
            if (role == PeerRole.Device && region.Generation == 0)
                throw new ControlException(ControlReason.BadMessage, "REGION gives a device session generation 0");
        }
        catch
        {
            memfd.Dispose();
            throw;
        }
        try
        {
            var memory = SealedMemory.Attach(memfd, region.Length, region.Access);
            return new ControlSession(connection, memory, region.Generation);
        }
        catch (ControlException e)
        {
            connection.SendBye(e.Code, e.Message);
            throw new ControlException(e.Code, $"the guest at {path} (pid {connection.Peer.Pid}): {e.Message}");
        }
    }

    /// <summary>Milliseconds until <paramref name="deadline"/> (Stopwatch ticks), rounded up, so a wait never ends early.</summary>
    private static long RemainingMilliseconds(long deadline)
    {
        long ticks = deadline - Stopwatch.GetTimestamp();
        return ticks <= 0 ? 0 : (ticks * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
    }

    private static string Name(PeerRole role) => role == PeerRole.Device ? "device" : "observer";

    private static void Check(int errno, string what)
    {
        if (errno != 0)
            throw new ControlException(ControlReason.SystemError, $"{what} failed: {Errno.Describe(errno)}");
    }
}
