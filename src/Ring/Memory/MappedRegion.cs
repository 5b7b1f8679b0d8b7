using System.IO.MemoryMappedFiles;

namespace Ring.Memory;

/// <summary>
/// A region file mapped shared, read-write or (for observers) read-only, with a reference count as
/// <c>SafeHandle</c> keeps one: the mapping stays until the last user releases it, so disposing a
/// <see cref="Guest"/> or a <see cref="Device"/> never unmaps memory a reader, a writer or a waiter thread is still
/// inside (each holds a reference, and each call is fenced by a <see cref="CallGate"/>).
/// </summary>
internal sealed unsafe class MappedRegion
{
    private static int s_lastId;

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private int _references = 1;

    private MappedRegion(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, long length, bool writable)
    {
        Path = path;
        _file = file;
        _view = view;
        Length = length;
        Writable = writable;
        Id = Interlocked.Increment(ref s_lastId);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>The file behind the region (updated when the guest renames it into place).</summary>
    public string Path { get; set; }

    /// <summary>Bytes mapped.</summary>
    public long Length { get; }

    /// <summary>Whether the mapping may be written.</summary>
    public bool Writable { get; }

    /// <summary>A number unique among the regions this process opened: it tags every <see cref="Packet"/>.</summary>
    public int Id { get; }

    /// <summary>The first mapped byte. Valid while the caller holds a reference.</summary>
    public byte* Base => _base;

    /// <summary>Creates <paramref name="path"/> (mode 0600, zero-filled, <paramref name="length"/> bytes) and maps it.</summary>
    public static MappedRegion CreateFile(string path, long length)
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
        return Map(path, stream, length, writable: true);
    }

    /// <summary>Maps the existing file <paramref name="path"/>, all of it; read-only when not <paramref name="writable"/>
    /// (the file is opened for reading and mapped without write access, so this process cannot change a byte).</summary>
    public static MappedRegion OpenFile(string path, bool writable)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, writable ? FileAccess.ReadWrite : FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RingException(RingErrorReason.NotFound, $"region {path} not found (the consumer creates it: start it first)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new RingException(RingErrorReason.Io, $"region {path}: permission denied");
        }
        catch (IOException e)
        {
            throw new RingException(RingErrorReason.Io, $"region {path}: {e.Message}");
        }
        if (stream.Length == 0)
        {
            stream.Dispose();
            throw new RingException(RingErrorReason.Foreign, $"{path} is empty: not a Ring region");
        }
        return Map(path, stream, stream.Length, writable);
    }

    /// <summary>Takes one more reference; fails when the mapping is already gone.</summary>
    public void AddRef()
    {
        while (true)
        {
            int seen = Volatile.Read(ref _references);
            if (seen == 0)
                throw new ObjectDisposedException(nameof(MappedRegion));
            if (Interlocked.CompareExchange(ref _references, seen + 1, seen) == seen)
                return;
        }
    }

    /// <summary>Drops a reference; the last one unmaps.</summary>
    public void Release()
    {
        int left = Interlocked.Decrement(ref _references);
        if (left > 0)
            return;
        if (left < 0)
            throw new InvalidOperationException("region released more often than referenced");
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private static MappedRegion Map(string path, FileStream stream, long length, bool writable)
    {
        MemoryMappedFile? file = null;
        var access = writable ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.Read;
        try
        {
            file = MemoryMappedFile.CreateFromFile(stream, null, length, access, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, length, access);
            return new MappedRegion(path, file, view, length, writable);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            file?.Dispose();
            stream.Dispose();
            throw new RingException(RingErrorReason.Io, $"cannot map region {path}: {e.Message}");
        }
        catch
        {
            file?.Dispose();
            stream.Dispose();
            throw;
        }
    }
}
