using Ring.Control;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// A file-backed region path is checked on the opened descriptor before anything is mapped: symlinks, non-regular
/// files, other users' files and files shorter than their header claims are refused with a reason.
/// </summary>
public sealed class RegionFileCheckTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ring-region-").FullName;

    [Fact]
    public void TryOpen_OwnRegularFile_OpensWithItsLength()
    {
        string path = Region(4096);

        var problem = RegionFileCheck.TryOpen(path, writable: true, out var file, out long length, out string description);

        using (file)
        {
            Assert.Equal(RegionFileProblem.None, problem);
            Assert.Equal("", description);
            Assert.Equal(4096, length);
            using var stream = new FileStream(file!, FileAccess.ReadWrite);
            Assert.Equal(4096, stream.Length);
        }
    }

    [Fact]
    public void TryOpen_Symlink_RefusedWithoutFollowing()
    {
        string target = Region(4096);
        string link = Path.Combine(_directory, "link");
        File.CreateSymbolicLink(link, target);

        AssertRefused(link, RegionFileProblem.SymbolicLink, "is a symbolic link; refusing to follow it");
    }

    [Fact]
    public void TryOpen_Directory_RefusedAsNotRegular() =>
        AssertRefused(_directory, RegionFileProblem.NotRegularFile, "is a directory, not a regular file", writable: false);

    [Fact]
    public void TryOpen_Fifo_RefusedWithoutHanging()
    {
        string fifo = Path.Combine(_directory, "fifo");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo])!)
            Assert.True(mkfifo.WaitForExit(ControlScope.Deadline));

        AssertRefused(fifo, RegionFileProblem.NotRegularFile, "is a FIFO, not a regular file", writable: false);
    }

    [Fact]
    public void TryOpen_Missing_Refused() =>
        AssertRefused(Path.Combine(_directory, "none"), RegionFileProblem.Missing, "No such file or directory (errno 2)");

    [RootFact]
    public void TryOpen_FileOfAnotherUser_Refused()
    {
        string path = Region(4096);
        ControlListenerBindTests.Chown(path, 65534);

        AssertRefused(path, RegionFileProblem.OwnedByOtherUser, "is owned by uid 65534, not by this user (uid 0)");
    }

    [Theory]
    [InlineData(4096L, 4096L, true)]
    [InlineData(8192L, 4096L, true)]
    [InlineData(4095L, 4096L, false)]
    public void CheckLength_AgainstTheHeaderClaim_RefusesOnlyAShorterFile(long fileLength, long claimed, bool accepted)
    {
        var problem = RegionFileCheck.CheckLength("/dev/shm/ring-x", fileLength, claimed, out string description);

        Assert.Equal(accepted ? RegionFileProblem.None : RegionFileProblem.TooShort, problem);
        Assert.Equal(accepted, description.Length == 0);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string Region(int length)
    {
        string path = Path.Combine(_directory, $"region-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, new byte[length]);
        return path;
    }

    private static void AssertRefused(string path, RegionFileProblem expected, string ending, bool writable = true)
    {
        var problem = RegionFileCheck.TryOpen(path, writable, out var file, out _, out string description);

        Assert.Equal(expected, problem);
        Assert.Null(file);
        Assert.EndsWith(ending, description);
    }
}
