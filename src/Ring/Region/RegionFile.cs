using Ring.Layout;
using Ring.Memory;
using Ring.Native;

namespace Ring.Region;

/// <summary>
/// Creates a guest's region file: refuses a path that a live guest owns (another process, or this one), replaces
/// a stale one, writes the header into a private temporary file and renames it into place, so a device never sees
/// a half-written region. Deletes it again when the guest is done.
/// </summary>
internal static class RegionFile
{
    private static readonly HashSet<string> s_ownedHere = [];

    /// <summary>Creates and maps the region at <paramref name="path"/>.</summary>
    public static MappedRegion Create(string path, RegionGeometry geometry, WaitMode guestMode)
    {
        lock (s_ownedHere)
        {
            if (s_ownedHere.Contains(path))
                throw new RingException(RingErrorReason.InUse, $"region {path} is already open in this process");
            ThrowIfOwnedByLiveGuest(path);
            string temporary = $"{path}.tmp-{Environment.ProcessId}";
            MappedRegion region;
            try
            {
                File.Delete(temporary);
                region = MappedRegion.CreateFile(temporary, geometry.RegionLength);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(temporary);
                throw new RingException(RingErrorReason.Io, $"cannot create region {path}: {e.Message.Replace(temporary, path)}");
            }
            try
            {
                TouchPages(region);
                HeaderCheck.Write(RegionHeader.Of(region), geometry, guestMode);
                File.Move(temporary, path, overwrite: true);
                region.Path = path;
                s_ownedHere.Add(path);
                return region;
            }
            catch
            {
                region.Release();
                TryDelete(temporary);
                throw;
            }
        }
    }

    /// <summary>Deletes the region file of a guest that is done with it, unless another guest has since put a region
    /// of its own at the path.</summary>
    public static void Delete(string path)
    {
        lock (s_ownedHere)
        {
            s_ownedHere.Remove(path);
            if (LiveGuestPid(path) == 0)
                TryDelete(path);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to clean up: the failure that brought us here is what gets reported.
        }
    }

    private static void ThrowIfOwnedByLiveGuest(string path)
    {
        int owner = LiveGuestPid(path);
        if (owner != 0)
            throw new RingException(RingErrorReason.InUse, $"region {path} is in use by a live guest (pid {owner})");
    }

    /// <summary>The pid of a live guest, other than this process, that owns the Ring region at <paramref name="path"/>;
    /// else 0 (no file, a foreign or unreadable file, a guest that is gone).</summary>
    private static int LiveGuestPid(string path)
    {
        if (!File.Exists(path))
            return 0;
        MappedRegion old;
        try
        {
            old = MappedRegion.OpenFile(path, writable: false);
        }
        catch (RingException)
        {
            return 0; // unreadable leftovers are replaced
        }
        try
        {
            if (old.Length < RegionLayout.HeaderLength)
                return 0;
            var header = RegionHeader.Of(old);
            int pid = header.GuestPid;
            bool live = header.MagicAcquire == RegionLayout.Magic && pid != Environment.ProcessId && Posix.ProcessExists(pid);
            return live ? pid : 0;
        }
        finally
        {
            old.Release();
        }
    }

    private static unsafe void TouchPages(MappedRegion region)
    {
        // Fault every page in now, so the first packets do not pay for it.
        for (long offset = 0; offset < region.Length; offset += 4096)
            region.Base[offset] = 0;
    }
}
