namespace Ring.Harness.Net;

/// <summary>One descriptor <see cref="Epoll.Wait(Span{EpollReady}, int)"/> found ready, and what it is ready for.</summary>
public readonly record struct EpollReady(int FileDescriptor, EpollEvents Events);
