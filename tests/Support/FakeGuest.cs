using Ring.Native;

namespace Ring.Tests.Support;

/// <summary>A listening socket with no protocol logic, to play a buggy or hostile guest against the real client.</summary>
internal sealed class FakeGuest : IDisposable
{
    private readonly FileDescriptor _socket;
    private readonly string _path;

    private FakeGuest(FileDescriptor socket, string path)
    {
        _socket = socket;
        _path = path;
    }

    /// <summary>Binds and listens on <paramref name="path"/>.</summary>
    public static FakeGuest Listen(string path)
    {
        Assert.Equal(0, UnixSocket.Create(out var socket));
        Assert.Equal(0, UnixSocket.Bind(socket!, path));
        Assert.Equal(0, UnixSocket.Listen(socket!, 4));
        return new FakeGuest(socket!, path);
    }

    /// <summary>Waits (up to <paramref name="deadline"/>) for a connection and returns it.</summary>
    public RawPeer Accept(TimeSpan deadline)
    {
        Assert.True(UnixSocket.PollOne(_socket, UnixSocket.POLLIN, (int)deadline.TotalMilliseconds) != 0,
            $"nobody connected within {deadline.TotalSeconds} s");
        Assert.Equal(0, UnixSocket.Accept(_socket, out var connection));
        return RawPeer.Adopt(connection!);
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(_path);
    }
}
