using System.Diagnostics;
using Ring.Control;

namespace Ring.Tests.Support;

/// <summary>
/// One control-channel test's scope: a private directory for its socket, a small sealed region, and a way to
/// attach a device or observer on another thread while this one drives the listener. Disposing removes it all.
/// </summary>
internal sealed class ControlScope : IDisposable
{
    /// <summary>The region length the scope creates.</summary>
    public const long RegionLength = 64 * 1024;

    /// <summary>How long any single step may take before the test fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private readonly List<IDisposable> _owned = [];

    public ControlScope()
    {
        Directory = Path.Combine("/tmp", $"ring-ctl-{Guid.NewGuid():N}"[..21]);
        System.IO.Directory.CreateDirectory(Directory);
        SocketPath = Path.Combine(Directory, "guest.sock");
        Region = Own(SealedMemory.Create("ring-test", RegionLength));
    }

    /// <summary>The scope's directory (mode per umask, 0755).</summary>
    public string Directory { get; }

    /// <summary>The socket path in <see cref="Directory"/>.</summary>
    public string SocketPath { get; }

    /// <summary>The guest's region.</summary>
    public SealedMemory Region { get; }

    /// <summary>Disposes <paramref name="item"/> with the scope (before the region).</summary>
    public T Own<T>(T item) where T : IDisposable
    {
        _owned.Add(item);
        return item;
    }

    /// <summary>Binds a listener on <see cref="SocketPath"/>.</summary>
    public ControlListener Listen(ControlListenerOptions? options = null) => Own(ControlListener.Bind(SocketPath, Region, options));

    /// <summary>
    /// Runs <see cref="ControlClient.Connect"/> on another thread while pumping <paramref name="listener"/> here;
    /// returns the session (or the exception it threw) and every event the listener produced meanwhile.
    /// </summary>
    public Attempt Attach(ControlListener listener, PeerRole role, TimeSpan? timeout = null)
    {
        var connect = Task.Run(() => ControlClient.Connect(SocketPath, role, timeout ?? TimeSpan.FromSeconds(5)));
        var events = Pump(listener, () => connect.IsCompleted);
        if (connect.IsFaulted)
            return new Attempt(null, connect.Exception!.InnerException, events);
        return new Attempt(Own(connect.Result), null, events);
    }

    /// <summary>Pumps the listener until <paramref name="done"/> holds (failing at the deadline), then drains it.</summary>
    public static List<ControlEvent> Pump(ControlListener listener, Func<bool> done)
    {
        var events = new List<ControlEvent>();
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            Assert.True(clock.Elapsed < Deadline, $"not done within {Deadline.TotalSeconds} s; events so far: {string.Join("; ", events)}");
            if (listener.WaitForEvent(TimeSpan.FromMilliseconds(10), out var e))
                events.Add(e);
        }
        while (listener.TryPoll(out var e))
            events.Add(e);
        return events;
    }

    /// <summary>Pumps until the listener reports an event of <paramref name="kind"/>; fails at the deadline.</summary>
    public static ControlEvent PumpUntil(ControlListener listener, ControlEventKind kind)
    {
        var others = new List<ControlEvent>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline)
        {
            if (!listener.WaitForEvent(TimeSpan.FromMilliseconds(10), out var e))
                continue;
            if (e.Kind == kind)
                return e;
            others.Add(e);
        }
        Assert.Fail($"no {kind} within {Deadline.TotalSeconds} s; other events: {string.Join("; ", others)}");
        return default;
    }

    /// <summary>The result of <paramref name="task"/>, which must finish within the deadline.</summary>
    public static T Finish<T>(Task<T> task)
    {
        Assert.True(task.Wait(Deadline), $"not finished within {Deadline.TotalSeconds} s");
        return task.Result;
    }

    /// <summary>The exception <paramref name="task"/> fails with, within the deadline.</summary>
    public static Exception Failure(Task task)
    {
        Assert.True(((IAsyncResult)task).AsyncWaitHandle.WaitOne(Deadline), $"not finished within {Deadline.TotalSeconds} s");
        Assert.True(task.IsFaulted || task.IsCanceled, "the task succeeded");
        return task.Exception?.InnerException ?? new OperationCanceledException();
    }

    public void Dispose()
    {
        for (int i = _owned.Count - 1; i >= 0; i--)
            _owned[i].Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    /// <summary>The result of <see cref="Attach"/>.</summary>
    public sealed record Attempt(ControlSession? Session, Exception? Error, List<ControlEvent> Events);
}
