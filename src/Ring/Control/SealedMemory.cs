using Ring.Native;

namespace Ring.Control;

/// <summary>
/// The region as sealed anonymous shared memory: a memfd whose size can never change again, mapped MAP_SHARED.
/// The guest <see cref="Create"/>s it; a device or observer <see cref="Attach"/>es to the descriptor it received,
/// after checking the seals and the size, so neither side can truncate the file under the other (SIGBUS) and a
/// guest cannot hand over a file that could be.
/// </summary>
/// <remarks>
/// Mapped with raw <c>mmap</c> rather than <c>MemoryMappedFile</c>: the protection is exactly what we ask
/// (PROT_READ alone for an observer, which the kernel enforces against its O_RDONLY descriptor), nothing tries
/// to extend a sealed file to a "capacity", and the pointer comes without a view accessor's acquire/release.
/// </remarks>
internal sealed unsafe class SealedMemory : IDisposable
{
    private readonly FileDescriptor _fd;
    private readonly Mapping _mapping;

    private SealedMemory(FileDescriptor fd, Mapping mapping, bool writable)
    {
        _fd = fd;
        _mapping = mapping;
        IsWritable = writable;
    }

    /// <summary>Bytes mapped.</summary>
    public long Length => _mapping.Length;

    /// <summary>Whether the mapping is read-write (guest and device) or read-only (observer).</summary>
    public bool IsWritable { get; }

    /// <summary>The first mapped byte. Valid until <see cref="Dispose"/>.</summary>
    public byte* Address => _mapping.Address;

    /// <summary>The memfd, to pass to a device.</summary>
    internal FileDescriptor Descriptor => _fd;

    /// <summary>
    /// Creates a zero-filled memfd named <paramref name="name"/> of <paramref name="length"/> bytes, reserves
    /// its pages, seals it (<see cref="Memfd.RegionSeals"/>) and maps it read-write.
    /// </summary>
    public static SealedMemory Create(string name, long length)
    {
        if (length is <= 0 or > ControlProtocol.MaxRegionLength)
            throw new ArgumentOutOfRangeException(nameof(length), length, $"region length must be 1..{ControlProtocol.MaxRegionLength}");
        Check(Memfd.Create(name, out var fd), $"memfd_create {name}");
        try
        {
            Check(Memfd.SetLength(fd!, length), $"ftruncate memfd {name} to {length} bytes");
            Check(Memfd.Reserve(fd!, length), $"allocating {length} bytes for memfd {name}");
            Check(Files.AddSeals(fd!, Memfd.RegionSeals), $"sealing memfd {name}");
            Check(Mapping.Map(fd!, length, writable: true, out var mapping), $"mapping memfd {name}");
            return new SealedMemory(fd!, mapping!, writable: true);
        }
        catch
        {
            fd!.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Maps a received region descriptor after checking it: a regular file, sealed against shrinking, growing and
    /// new seals, at least <paramref name="length"/> bytes, opened for the access asked. Takes ownership of
    /// <paramref name="fd"/> (closed here on failure). Throws <see cref="ControlException"/> with
    /// <see cref="ControlReason.RegionUnsealed"/>, <see cref="ControlReason.RegionTooSmall"/> or
    /// <see cref="ControlReason.BadRegion"/>.
    /// </summary>
    public static SealedMemory Attach(FileDescriptor fd, long length, RegionAccess access)
    {
        try
        {
            var (reason, problem) = Verify(fd, length, access);
            if (reason != ControlReason.None)
                throw new ControlException(reason, $"region refused: {problem}");
            bool writable = access == RegionAccess.ReadWrite;
            int errno = Mapping.Map(fd, length, writable, out var mapping);
            if (errno != 0)
                throw new ControlException(ControlReason.BadRegion, $"region refused: mapping {length} bytes failed: {Errno.Describe(errno)}");
            return new SealedMemory(fd, mapping!, writable);
        }
        catch
        {
            fd.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A second descriptor for the same memory, opened O_RDONLY through <c>/proc/self/fd</c>, for observers: the
    /// kernel refuses a PROT_WRITE shared mapping of it. It guards against accidents, not against a hostile
    /// process of the same user, which could reopen it read-write through its own /proc or ptrace us.
    /// </summary>
    public FileDescriptor OpenReadOnly()
    {
        string path = $"/proc/self/fd/{_fd.Number}";
        Check(Files.Open(path, Files.O_RDONLY | Files.O_CLOEXEC, 0, out var fd), $"opening {path} read-only");
        return fd!;
    }

    /// <summary>What is wrong with a received region descriptor, or <see cref="ControlReason.None"/>.</summary>
    internal static (ControlReason Reason, string Problem) Verify(FileDescriptor fd, long length, RegionAccess access)
    {
        int errno = Files.Stat(fd, out var status);
        if (errno != 0)
            return (ControlReason.BadRegion, $"fstat failed: {Errno.Describe(errno)}");
        if (!status.IsRegularFile)
            return (ControlReason.BadRegion, $"the descriptor is {status.Kind}, not a memfd");
        errno = Files.GetSeals(fd, out int seals);
        if (errno == Errno.EINVAL)
            return (ControlReason.RegionUnsealed, "the file cannot be sealed (not a memfd), so it could be truncated");
        if (errno != 0)
            return (ControlReason.BadRegion, $"F_GET_SEALS failed: {Errno.Describe(errno)}");
        if ((seals & Memfd.RegionSeals) != Memfd.RegionSeals)
            return (ControlReason.RegionUnsealed, $"seals 0x{seals:x} lack shrink, grow or seal (0x{Memfd.RegionSeals:x})");
        if (status.Size < length)
            return (ControlReason.RegionTooSmall, $"the file has {status.Size} bytes, REGION says {length}");
        errno = Files.AccessMode(fd, out int mode);
        if (errno != 0)
            return (ControlReason.BadRegion, $"F_GETFL failed: {Errno.Describe(errno)}");
        if (access == RegionAccess.ReadWrite)
        {
            if (mode != Files.O_RDWR)
                return (ControlReason.BadRegion, "the descriptor is not open read-write");
            if ((seals & (Memfd.SealWrite | Memfd.SealFutureWrite)) != 0)
                return (ControlReason.BadRegion, "the region is sealed against writing");
        }
        else if (mode != Files.O_RDONLY)
        {
            return (ControlReason.BadRegion, "an observer's descriptor must be open read-only");
        }
        return (ControlReason.None, "");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _mapping.Dispose();
        _fd.Dispose();
    }

    private static void Check(int errno, string what)
    {
        if (errno != 0)
            throw new ControlException(ControlReason.SystemError, $"{what} failed: {Errno.Describe(errno)}");
    }
}
