using System.Text;
using Ring.Harness.Net;

namespace Ring.Harness.Hosting;

/// <summary>
/// A thread's context switches as the kernel counts them in <c>/proc/self/task/&lt;tid&gt;/status</c>:
/// <see cref="Voluntary"/> (it gave up the core: a sleep, a futex wait, a blocking call) and
/// <see cref="Involuntary"/> (the scheduler took the core from it for another task: preemption). A busy-polling
/// thread that owns its core has no voluntary switches; each involuntary one is a stretch of time something else
/// ran there (a kernel thread, the runtime's JIT or finalizer, the other program), which shows as a latency tail.
/// </summary>
/// <param name="Voluntary">voluntary_ctxt_switches.</param>
/// <param name="Involuntary">nonvoluntary_ctxt_switches.</param>
public readonly record struct ContextSwitches(long Voluntary, long Involuntary)
{
    /// <summary>The calling thread's own status file (a link to <c>/proc/self/task/&lt;tid&gt;</c>).</summary>
    private const string StatusPath = "/proc/thread-self/status";

    /// <summary>Longer than any status file (about 1.5 KB); read on the stack, so reading allocates nothing.</summary>
    private const int StatusBytes = 8192;

    private static ReadOnlySpan<byte> VoluntaryKey => "\nvoluntary_ctxt_switches:"u8;
    private static ReadOnlySpan<byte> InvoluntaryKey => "\nnonvoluntary_ctxt_switches:"u8;

    /// <summary>The calling thread's counts so far; throws <see cref="RunFailedException"/> when /proc cannot be read.</summary>
    public static unsafe ContextSwitches OfThisThread()
    {
        byte* buffer = stackalloc byte[StatusBytes];
        int fd = Libc.Open(StatusPath, Libc.ReadOnly | Libc.CloseOnExec);
        if (fd < 0)
            throw new RunFailedException($"cannot read {StatusPath}: {Libc.Describe(System.Runtime.InteropServices.Marshal.GetLastPInvokeError())}");
        int length = 0;
        try
        {
            for (nint n; length < StatusBytes && (n = Libc.Read(fd, buffer + length, (nuint)(StatusBytes - length))) > 0;)
                length += (int)n;
        }
        finally
        {
            Libc.Close(fd);
        }
        return Parse(new ReadOnlySpan<byte>(buffer, length));
    }

    /// <summary>The two counts in the text of a status file; throws <see cref="RunFailedException"/> when one is missing.</summary>
    public static ContextSwitches Parse(ReadOnlySpan<byte> status) =>
        new(Field(status, VoluntaryKey), Field(status, InvoluntaryKey));

    /// <summary>What happened between two readings of one thread.</summary>
    public static ContextSwitches operator -(ContextSwitches end, ContextSwitches start) =>
        new(end.Voluntary - start.Voluntary, end.Involuntary - start.Involuntary);

    /// <summary>Two threads' counts together.</summary>
    public static ContextSwitches operator +(ContextSwitches a, ContextSwitches b) =>
        new(a.Voluntary + b.Voluntary, a.Involuntary + b.Involuntary);

    private static long Field(ReadOnlySpan<byte> status, ReadOnlySpan<byte> key)
    {
        int at = status.IndexOf(key);
        if (at < 0)
            throw new RunFailedException($"{StatusPath} has no {Encoding.ASCII.GetString(key[1..^1])} line");
        long value = 0;
        foreach (byte b in status[(at + key.Length)..])
        {
            if (b is (byte)' ' or (byte)'\t' && value == 0)
                continue;
            if (b is < (byte)'0' or > (byte)'9')
                break;
            value = value * 10 + (b - '0');
        }
        return value;
    }
}
