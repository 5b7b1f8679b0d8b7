namespace Ring.Native;

/// <summary>The fields of <c>statx</c> the control channel checks: type and permission bits, owner, identity, size.</summary>
internal readonly record struct FileStatus(uint Mode, uint Uid, ulong Device, ulong Inode, long Size)
{
    private const uint TypeMask = 0xF000;      // S_IFMT
    private const uint SocketType = 0xC000;    // S_IFSOCK
    private const uint SymbolicLinkType = 0xA000; // S_IFLNK
    private const uint RegularType = 0x8000;   // S_IFREG
    private const uint DirectoryType = 0x4000; // S_IFDIR

    /// <summary>A Unix-domain socket file.</summary>
    public bool IsSocket => (Mode & TypeMask) == SocketType;

    /// <summary>A symbolic link (only an <c>lstat</c>-style call can see one).</summary>
    public bool IsSymbolicLink => (Mode & TypeMask) == SymbolicLinkType;

    /// <summary>A regular file (a memfd is one).</summary>
    public bool IsRegularFile => (Mode & TypeMask) == RegularType;

    /// <summary>Permission bits, e.g. 0600.</summary>
    public uint Permissions => Mode & 0xFFF;

    /// <summary>Same file: device and inode both match.</summary>
    public bool IsSameFileAs(in FileStatus other) => Device == other.Device && Inode == other.Inode;

    /// <summary>What kind of file this is, for a message: "a directory", "a symbolic link", ...</summary>
    public string Kind => (Mode & TypeMask) switch
    {
        SocketType => "a socket",
        SymbolicLinkType => "a symbolic link",
        RegularType => "a regular file",
        DirectoryType => "a directory",
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x6000 => "a block device",
        var other => $"a file of type 0x{other:x}",
    };
}
