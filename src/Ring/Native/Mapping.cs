using System.Runtime.InteropServices;

namespace Ring.Native;

/// <summary>
/// One <c>mmap</c> of a file, unmapped exactly once on dispose or finalization. The mapping keeps the file alive
/// on its own, so the descriptor it was made from may be closed first.
/// </summary>
internal sealed unsafe partial class Mapping : SafeHandle
{
    private const int PROT_READ = 0x1;
    private const int PROT_WRITE = 0x2;
    private const int MAP_SHARED = 0x1;
    private static readonly nint MapFailed = -1;

    private Mapping(nint address, long length) : base(invalidHandleValue: MapFailed, ownsHandle: true)
    {
        SetHandle(address);
        Length = length;
    }

    /// <summary>Bytes mapped.</summary>
    public long Length { get; }

    /// <summary>The first mapped byte. Valid until the mapping is disposed.</summary>
    public byte* Address => (byte*)handle;

    /// <inheritdoc />
    public override bool IsInvalid => handle == MapFailed || handle == 0;

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, FileDescriptor fd, long offset);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);

    /// <summary>
    /// Maps the first <paramref name="length"/> bytes of <paramref name="fd"/> MAP_SHARED, read-write or read-only.
    /// The kernel refuses PROT_WRITE (EACCES) on a descriptor opened read-only: that, not this flag, is what keeps
    /// an observer read-only.
    /// </summary>
    public static int Map(FileDescriptor fd, long length, bool writable, out Mapping? mapping)
    {
        int protection = writable ? PROT_READ | PROT_WRITE : PROT_READ;
        nint address = Mmap(0, (nuint)length, protection, MAP_SHARED, fd, 0);
        if (address == MapFailed)
        {
            mapping = null;
            return Errno.Last;
        }
        mapping = new Mapping(address, length);
        return 0;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => Munmap(handle, (nuint)Length) == 0;
}
