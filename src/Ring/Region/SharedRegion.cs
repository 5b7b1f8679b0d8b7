using System.IO.MemoryMappedFiles;

namespace Ring.Region;

/// <summary>
/// A memory-mapped region file, mapped read-write and shared. Owns the mapping and the pointer into it; the
/// driver also owns the file itself (see <see cref="Driver"/>).
/// </summary>
public sealed unsafe class SharedRegion : IDisposable
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _base;

    private SharedRegion(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, long length)
    {
        Path = path;
        _file = file;
        _view = view;
        Length = length;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
        _base += _view.PointerOffset;
    }

    /// <summary>The file behind the region (updated when the driver renames it into place).</summary>
    public string Path { get; internal set; }

    /// <summary>Bytes mapped.</summary>
    public long Length { get; }

    /// <summary>The first mapped byte. Valid until <see cref="Dispose"/>.</summary>
    internal byte* Base => _base;

    /// <summary>Creates <paramref name="path"/> (mode 0600, zero-filled, <paramref name="length"/> bytes) and maps it.</summary>
    public static SharedRegion CreateFile(string path, long length)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite,
            // Reserve the pages now (fallocate): a full /dev/shm fails here with an IOException rather than
            // with SIGBUS on first touch of a page the file system cannot back.
            PreallocationSize = length,
        };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite; // 0600: guest memory is private
        var stream = new FileStream(path, options);
        try
        {
            if (stream.Length != length)
                stream.SetLength(length);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        return Map(path, stream, length);
    }

    /// <summary>Maps the existing file <paramref name="path"/>, all of it.</summary>
    public static SharedRegion OpenFile(string path)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RingException($"region {path} not found (the consumer creates it: start it first)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new RingException($"region {path}: permission denied");
        }
        if (stream.Length == 0)
        {
            stream.Dispose();
            throw new RingException($"region {path} is empty: not a Ring region");
        }
        return Map(path, stream, stream.Length);
    }

    private static SharedRegion Map(string path, FileStream stream, long length)
    {
        MemoryMappedFile? file = null;
        try
        {
            file = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite,
                HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
            return new SharedRegion(path, file, view, length);
        }
        catch
        {
            file?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_base == null)
            return;
        _base = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
