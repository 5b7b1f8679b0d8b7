using Ring.Control;
using Ring.Native;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The guest role is exclusive: a live guest's socket path is refused, a crashed guest's stale socket is replaced
/// and reported, anything else at the path (a symlink, a file, another user's socket) is refused, and disposing
/// removes only what is still ours.
/// </summary>
public sealed class ControlListenerBindTests : IDisposable
{
    private readonly ControlScope _scope = new();

    [Fact]
    public void Bind_LiveGuestListening_RefusedInOneLineWithItsPid()
    {
        _scope.Listen();

        var error = Assert.Throws<ControlException>(() => ControlListener.Bind(_scope.SocketPath, _scope.Region));

        Assert.Equal(ControlReason.GuestAlreadyListening, error.Code);
        Assert.Equal($"{_scope.SocketPath} is in use by a live guest (pid {Environment.ProcessId})", error.Message);
    }

    [Fact]
    public void Bind_LiveGuestWhoseSocketFileWasDeleted_StillRefusedByTheLock()
    {
        _scope.Listen();
        File.Delete(_scope.SocketPath);

        var error = Assert.Throws<ControlException>(() => ControlListener.Bind(_scope.SocketPath, _scope.Region));

        Assert.Equal(ControlReason.GuestAlreadyListening, error.Code);
    }

    [Fact]
    public void Bind_StaleSocketOfACrashedGuest_ReplacedAndReported()
    {
        LeaveStaleSocket(_scope.SocketPath);

        var listener = _scope.Listen();

        Assert.True(listener.ReplacedStaleSocket);
        Assert.NotNull(_scope.Attach(listener, PeerRole.Device).Session);
    }

    [Fact]
    public void Bind_NothingThere_NotReportedAsStale() => Assert.False(_scope.Listen().ReplacedStaleSocket);

    [Fact]
    public void Bind_SocketFile_HasMode0600()
    {
        _scope.Listen();

        Assert.Equal(0, Files.StatLink(_scope.SocketPath, out var socket));
        Assert.Equal(0, Files.StatLink(_scope.SocketPath + ".lock", out var lockFile));
        Assert.Equal(Files.UserReadWrite, socket.Permissions);
        Assert.Equal(Files.UserReadWrite, lockFile.Permissions);
    }

    [Fact]
    public void Bind_PathIsASymlink_Refused()
    {
        LeaveStaleSocket(Path.Combine(_scope.Directory, "elsewhere.sock"));
        File.CreateSymbolicLink(_scope.SocketPath, Path.Combine(_scope.Directory, "elsewhere.sock"));

        var error = Assert.Throws<ControlException>(() => ControlListener.Bind(_scope.SocketPath, _scope.Region));

        Assert.Equal(ControlReason.SocketPathRefused, error.Code);
        Assert.EndsWith("a symbolic link, which a region never is; refusing to follow it", error.Message);
        Assert.True(File.Exists(Path.Combine(_scope.Directory, "elsewhere.sock")));
    }

    [Fact]
    public void Bind_PathIsARegularFile_RefusedAndLeftAlone()
    {
        File.WriteAllText(_scope.SocketPath, "precious");

        var error = Assert.Throws<ControlException>(() => ControlListener.Bind(_scope.SocketPath, _scope.Region));

        Assert.Equal(ControlReason.SocketPathRefused, error.Code);
        Assert.EndsWith("is not a Ring region: a regular file, not a guest's control socket", error.Message);
        Assert.Equal("precious", File.ReadAllText(_scope.SocketPath));
        Assert.False(File.Exists(_scope.SocketPath + ".lock"));
    }

    [RootFact]
    public void Bind_StaleSocketOfAnotherUser_RefusedAndLeftAlone()
    {
        LeaveStaleSocket(_scope.SocketPath);
        Chown(_scope.SocketPath, 65534);

        var error = Assert.Throws<ControlException>(() => ControlListener.Bind(_scope.SocketPath, _scope.Region));

        Assert.Equal(ControlReason.SocketPathRefused, error.Code);
        Assert.Contains("is owned by uid 65534", error.Message);
        Assert.True(File.Exists(_scope.SocketPath));
    }

    [Fact]
    public void Bind_PathLongerThanSunPath_Refused()
    {
        string path = Path.Combine(_scope.Directory, new string('s', 120) + ".sock");

        var error = Assert.Throws<ControlException>(() => ControlListener.Bind(path, _scope.Region));

        Assert.Equal(ControlReason.SocketPathRefused, error.Code);
        Assert.Contains("a Unix socket path holds at most 107", error.Message);
    }

    [Fact]
    public void Dispose_SocketStillOurs_RemovesSocketAndLock()
    {
        var listener = ControlListener.Bind(_scope.SocketPath, _scope.Region);

        listener.Dispose();
        listener.Dispose();

        Assert.False(File.Exists(_scope.SocketPath));
        Assert.False(File.Exists(_scope.SocketPath + ".lock"));
        _scope.Listen(); // and the path is free again
    }

    [Fact]
    public void Dispose_SocketFileReplacedBySomeoneElse_LeavesTheirFile()
    {
        var listener = ControlListener.Bind(_scope.SocketPath, _scope.Region);
        File.Delete(_scope.SocketPath);
        File.WriteAllText(_scope.SocketPath, "theirs");

        listener.Dispose();

        Assert.Equal("theirs", File.ReadAllText(_scope.SocketPath));
    }

    public void Dispose() => _scope.Dispose();

    /// <summary>A socket file nobody listens on, as a guest killed with -9 leaves behind.</summary>
    private static void LeaveStaleSocket(string path)
    {
        Assert.Equal(0, UnixSocket.Create(out var socket));
        using (socket)
        {
            Assert.Equal(0, UnixSocket.Bind(socket!, path));
            Assert.Equal(0, UnixSocket.Listen(socket!, 1));
        }
    }

    internal static void Chown(string path, int uid)
    {
        using var chown = System.Diagnostics.Process.Start("chown", [$"{uid}", path])!;
        Assert.True(chown.WaitForExit(ControlScope.Deadline));
        Assert.Equal(0, chown.ExitCode);
    }
}
