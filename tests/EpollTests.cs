using System.Diagnostics;
using Ring.Harness.Net;

namespace Ring.Tests;

/// <summary>epoll and eventfd on their own (no root needed), and the TAP's error messages where no namespace is
/// needed to provoke them.</summary>
public sealed class EpollTests
{
    [Fact]
    public void Wait_EventFdSignalled_ReportsItReadable()
    {
        using var epoll = new Epoll();
        using var first = new EventFd();
        using var second = new EventFd();
        epoll.Add(first.FileDescriptor);
        epoll.Add(second.FileDescriptor);
        Span<EpollReady> ready = stackalloc EpollReady[4];

        second.Signal();
        second.Signal();
        int n = epoll.Wait(ready, TimeSpan.FromSeconds(5));

        Assert.Equal(1, n);
        Assert.Equal(new EpollReady(second.FileDescriptor, EpollEvents.Readable), ready[0]);
        Assert.Equal(2UL, second.Consume());
        Assert.Equal(0UL, second.Consume());
        Assert.Equal(0, epoll.Wait(ready, 0));
    }

    [Fact]
    public void Wait_NothingReady_ReturnsZeroAfterTheTimeout()
    {
        using var epoll = new Epoll();
        using var idle = new EventFd();
        epoll.Add(idle.FileDescriptor);
        Span<EpollReady> ready = stackalloc EpollReady[1];
        var clock = Stopwatch.StartNew();

        int n = epoll.Wait(ready, TimeSpan.FromMilliseconds(50));

        Assert.Equal(0, n);
        Assert.InRange(clock.Elapsed.TotalMilliseconds, 45, 5000);
    }

    [Fact]
    public async Task Wait_SignalFromAnotherThread_WakesTheWaiter()
    {
        using var epoll = new Epoll();
        using var bell = new EventFd();
        epoll.Add(bell.FileDescriptor);
        var waiter = Task.Run(() =>
        {
            Span<EpollReady> ready = stackalloc EpollReady[1];
            return epoll.Wait(ready, TimeSpan.FromSeconds(10));
        });

        await Task.Delay(20);
        bell.Signal();

        Assert.Equal(1, await waiter.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Add_SameDescriptorTwice_ThrowsWithErrno()
    {
        using var epoll = new Epoll();
        using var bell = new EventFd();
        epoll.Add(bell.FileDescriptor);

        var error = Assert.Throws<NetDeviceException>(() => epoll.Add(bell.FileDescriptor));

        Assert.StartsWith($"epoll_ctl(add fd {bell.FileDescriptor}): errno 17", error.Message);
    }

    [Fact]
    public void TapOpen_NoCloneDevice_ThrowsNamingTheMissingDevice()
    {
        var error = Assert.Throws<NetDeviceException>(() => TapDevice.Open("rtap0", "/nonexistent/net/tun"));

        Assert.Equal("cannot open TAP rtap0: /nonexistent/net/tun does not exist (no TUN/TAP support here: modprobe tun, "
            + "or give the container the device): ENOENT (No such file or directory)", error.Message);
    }

    [Theory]
    [InlineData(1, "no permission to open /dev/net/tun (run as root or with CAP_NET_ADMIN)")]
    [InlineData(13, "no permission to open /dev/net/tun (run as root or with CAP_NET_ADMIN)")]
    [InlineData(19, "the tun driver is not loaded (modprobe tun)")]
    public void TapOpenError_Errno_NamesTheCause(int errno, string cause) =>
        Assert.StartsWith($"cannot open TAP t: {cause}: ", TapDevice.OpenError("t", TapDevice.ClonePath, errno).Message);

    [Fact]
    public void TapAttachError_Eperm_NamesTheMissingCapability() =>
        Assert.Equal("cannot open TAP t: no permission (needs CAP_NET_ADMIN in its network namespace, or to own the persistent TAP): "
            + "EPERM (Operation not permitted)", TapDevice.AttachError("t", 1).Message);

    [Theory]
    [InlineData("")]
    [InlineData("sixteen-chars-xx")]
    [InlineData("a/b")]
    [InlineData("a b")]
    public void TapOpen_BadName_ThrowsArgumentException(string name) =>
        Assert.Throws<ArgumentException>(() => TapDevice.Open(name));
}
