using System.Globalization;
using System.Runtime.InteropServices;

namespace Ring.Harness.Hosting;

/// <summary>
/// Which cores a thread may run on (<c>sched_setaffinity</c>, per thread): the poll threads each get one core, and
/// every other thread of the program (the runtime's finalizer, tiered-JIT worker and the like) is moved to the
/// cores the process may use that no poll thread has, so it takes no time slice from a poll loop.
/// </summary>
/// <remarks>
/// A thread starts with the mask of the thread that created it. Threads made before <see cref="MoveOthersOff"/>
/// are moved by it, threads made later by a thread other than a poll thread inherit the rest, but a thread a poll
/// thread creates (the runtime starts some on demand, from whichever thread needs them) starts on that poll
/// thread's core. The programs start no threads in their loops.
/// </remarks>
public static unsafe partial class ThreadAffinity
{
    /// <summary>Bits in the kernel's mask that these calls pass: cores 0..1023, glibc's <c>cpu_set_t</c>.</summary>
    private const int MaskBits = 1024;

    /// <summary>The cores the calling thread may run on, in order.</summary>
    public static IReadOnlyList<int> Allowed()
    {
        ulong* mask = stackalloc ulong[MaskBits / 64];
        if (GetAffinity(0, MaskBits / 8, mask) != 0)
            throw new RunFailedException($"sched_getaffinity: {Net.Libc.Describe(Marshal.GetLastPInvokeError())}");
        var cores = new List<int>();
        for (int core = 0; core < MaskBits; core++)
        {
            if ((mask[core / 64] & (1UL << (core % 64))) != 0)
                cores.Add(core);
        }
        return cores;
    }

    /// <summary>Parses <c>--cpu</c>'s list ("2" or "0,2"), each a core this process may run on; throws
    /// <see cref="ArgumentException"/> with one line.</summary>
    public static IReadOnlyList<int> ParseCores(string list)
    {
        var allowed = Allowed();
        var cores = new List<int>();
        foreach (string part in list.Split(','))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int core) || !allowed.Contains(core))
                throw new ArgumentException($"--cpu takes cores this process may run on ({string.Join(',', allowed)}), comma-separated; not '{list}'");
            cores.Add(core);
        }
        return cores;
    }

    /// <summary>Lets the calling thread run on <paramref name="core"/> only.</summary>
    public static void PinThisThread(int core) => Set(0, [core]);

    /// <summary>
    /// Moves every thread of this process but the calling one to the allowed cores outside
    /// <paramref name="pollCores"/>, and returns how many it moved; moves none when there is no such core (the
    /// user allowed only the poll cores).
    /// </summary>
    public static int MoveOthersOff(IReadOnlyCollection<int> pollCores)
    {
        var rest = Allowed().Except(pollCores).ToList();
        if (rest.Count == 0)
            return 0;
        int self = GetThreadId();
        int moved = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            // A thread that ended since the listing is gone: nothing to move.
            if (int.TryParse(Path.GetFileName(task), CultureInfo.InvariantCulture, out int tid) && tid != self && TrySet(tid, rest))
                moved++;
        }
        return moved;
    }

    private static void Set(int tid, IReadOnlyList<int> cores)
    {
        if (!TrySet(tid, cores))
            throw new RunFailedException($"sched_setaffinity to core(s) {string.Join(',', cores)}: {Net.Libc.Describe(Marshal.GetLastPInvokeError())}");
    }

    private static bool TrySet(int tid, IReadOnlyList<int> cores)
    {
        ulong* mask = stackalloc ulong[MaskBits / 64];
        new Span<ulong>(mask, MaskBits / 64).Clear();
        foreach (int core in cores)
            mask[core / 64] |= 1UL << (core % 64);
        return SetAffinity(tid, MaskBits / 8, mask) == 0;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SetAffinity(int tid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "sched_getaffinity", SetLastError = true)]
    private static partial int GetAffinity(int tid, nuint size, ulong* mask);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
