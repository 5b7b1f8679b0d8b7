namespace Ring.Harness.Net;

/// <summary>A TAP device, epoll or eventfd call that failed, with a one-line message naming the cause and the errno.</summary>
public sealed class NetDeviceException(string message, int errno) : IOException(message)
{
    /// <summary>The errno of the failed call.</summary>
    public int Errno { get; } = errno;
}
