namespace Ring.Harness.Net;

/// <summary>The epoll event bits this project uses (<c>EPOLLIN</c> and friends).</summary>
[Flags]
public enum EpollEvents : uint
{
    /// <summary>No event.</summary>
    None = 0,
    /// <summary>EPOLLIN: there is something to read.</summary>
    Readable = 0x001,
    /// <summary>EPOLLOUT: a write would not block.</summary>
    Writable = 0x004,
    /// <summary>EPOLLERR: an error on the descriptor (always reported).</summary>
    Error = 0x008,
    /// <summary>EPOLLHUP: the other end hung up (always reported).</summary>
    HangUp = 0x010,
}
