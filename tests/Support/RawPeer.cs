using Ring.Native;

namespace Ring.Tests.Support;

/// <summary>
/// A raw SOCK_SEQPACKET end with no protocol logic: it sends whatever bytes (and descriptors) a test forges and
/// receives whatever comes, to play a buggy or hostile device, observer or guest.
/// </summary>
internal sealed class RawPeer : IDisposable
{
    private readonly FileDescriptor _socket;

    private RawPeer(FileDescriptor socket) => _socket = socket;

    /// <summary>Connects to the listener at <paramref name="path"/>.</summary>
    public static RawPeer Connect(string path)
    {
        Assert.Equal(0, UnixSocket.Create(out var socket));
        Assert.Equal(0, UnixSocket.Connect(socket!, path));
        return new RawPeer(socket!);
    }

    /// <summary>Wraps an accepted connection (for a fake guest).</summary>
    public static RawPeer Adopt(FileDescriptor socket) => new(socket);

    /// <summary>The socket, for tests that go below this class.</summary>
    public FileDescriptor Socket => _socket;

    /// <summary>Sends <paramref name="bytes"/> as one message, with <paramref name="passed"/> attached if given.</summary>
    public void Send(ReadOnlySpan<byte> bytes, FileDescriptor? passed = null) => Assert.Equal(0, UnixSocket.Send(_socket, bytes, passed));

    /// <summary>Waits (up to the deadline) for one message; returns its bytes and the first descriptor that came.</summary>
    public (byte[] Bytes, FileDescriptor? Passed) Receive(TimeSpan deadline)
    {
        var buffer = new byte[512];
        short events = UnixSocket.PollOne(_socket, UnixSocket.POLLIN, (int)deadline.TotalMilliseconds);
        Assert.True(events != 0, $"nothing arrived within {deadline.TotalSeconds} s");
        Assert.Equal(0, UnixSocket.Receive(_socket, buffer, out int length, out var passed, out _, out _));
        return (buffer[..length], passed);
    }

    /// <summary>Whether the other end has hung up, waiting up to <paramref name="deadline"/> for it.</summary>
    public bool HungUp(TimeSpan deadline)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var buffer = new byte[512];
        while (clock.Elapsed < deadline)
        {
            UnixSocket.PollOne(_socket, UnixSocket.POLLIN | UnixSocket.POLLRDHUP, 20);
            int errno = UnixSocket.Receive(_socket, buffer, out int length, out var passed, out _, out _);
            passed?.Dispose();
            if (errno == Errno.ECONNRESET || (errno == 0 && length == 0))
                return true;
        }
        return false;
    }

    public void Dispose() => _socket.Dispose();
}
