using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Ring.Harness.Net;

/// <summary>
/// A guest application served straight from a TAP, with no ring between: each frame the kernel sends into the TAP is
/// given to the application and its reply is written back into the TAP, in place in one buffer. It proves an
/// application against the real network stack (ping answered through <see cref="IcmpEcho"/>) with no ring and no
/// second process, which the tests use to tell a fault of the application from one of the TAP bridge.
/// </summary>
/// <remarks>
/// One thread, in the three ways the programs wait: <see cref="Timeout.InfiniteTimeSpan"/> polls the non-blocking
/// TAP and never sleeps; <see cref="TimeSpan.Zero"/> sleeps in epoll as soon as the TAP is empty; anything between
/// polls that long after the last frame, then sleeps (hybrid). An eventfd in the same epoll set wakes it to stop.
/// </remarks>
public sealed class TapResponder : IDisposable
{
    /// <summary>The largest frame a TAP delivers: a 65535-byte MTU plus the Ethernet header.</summary>
    public const int MaxFrameLength = ushort.MaxValue + EthernetHeader.Length;

    private readonly TapDevice _tap;
    private readonly IGuestApp _app;
    private readonly TimeSpan _pollBeforeSleep;
    private readonly EventFd _stop = new();
    private readonly Epoll _epoll = new(capacity: 2);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private ExceptionDispatchInfo? _fault;

    /// <summary>Serves <paramref name="app"/> on <paramref name="tap"/>, polling <paramref name="pollBeforeSleep"/>
    /// after the last frame before sleeping (see the remarks). Call <see cref="Start"/>.</summary>
    public TapResponder(TapDevice tap, IGuestApp app, TimeSpan pollBeforeSleep)
    {
        _tap = tap;
        _app = app;
        _pollBeforeSleep = pollBeforeSleep;
        _epoll.Add(tap.FileDescriptor);
        _epoll.Add(_stop.FileDescriptor);
        _thread = new Thread(Loop) { IsBackground = true, Name = $"tap {tap.Name} {app.Name}" };
    }

    /// <summary>Frames read from the TAP.</summary>
    public long FramesIn { get; private set; }

    /// <summary>Replies written to the TAP.</summary>
    public long RepliesOut { get; private set; }

    /// <summary>Replies the kernel did not take (its queue full, or the interface down).</summary>
    public long RepliesDropped { get; private set; }

    /// <summary>Times the thread slept in epoll.</summary>
    public long Sleeps { get; private set; }

    /// <summary>Starts the thread.</summary>
    public void Start() => _thread.Start();

    /// <summary>
    /// Stops the thread and waits for it up to <paramref name="timeout"/>; rethrows what ended it early, and throws
    /// <see cref="TimeoutException"/> when it does not stop in time. Read the counters after this.
    /// </summary>
    public void Stop(TimeSpan timeout)
    {
        _stopping = true;
        _stop.Signal();
        if (_thread.IsAlive && !_thread.Join(timeout))
            throw new TimeoutException($"the TAP responder on {_tap.Name} did not stop within {timeout.TotalSeconds:0.#} s");
        _fault?.Throw();
    }

    /// <summary>Stops the thread (for up to 5 s) without throwing, and closes the epoll set and eventfd; the TAP stays the caller's.</summary>
    public void Dispose()
    {
        _stopping = true;
        _stop.Signal();
        if (_thread.IsAlive && !_thread.Join(TimeSpan.FromSeconds(5)))
            return; // still inside a call on the descriptors: leave them open rather than close them under it
        _epoll.Dispose();
        _stop.Dispose();
    }

    private void Loop()
    {
        try
        {
            byte[] buffer = new byte[MaxFrameLength];
            Span<EpollReady> ready = stackalloc EpollReady[2];
            bool neverSleep = _pollBeforeSleep == Timeout.InfiniteTimeSpan;
            long lastFrame = Stopwatch.GetTimestamp();
            while (!_stopping)
            {
                int length = _tap.Read(buffer);
                if (length > 0)
                {
                    Serve(buffer, length);
                    lastFrame = Stopwatch.GetTimestamp();
                    continue;
                }
                if (neverSleep || Stopwatch.GetElapsedTime(lastFrame) < _pollBeforeSleep)
                    continue;
                Sleeps++;
                _epoll.Wait(ready, Timeout.Infinite);
                _stop.Consume();
                lastFrame = Stopwatch.GetTimestamp();
            }
        }
        catch (Exception e)
        {
            _fault = ExceptionDispatchInfo.Capture(e);
        }
    }

    private void Serve(byte[] buffer, int length)
    {
        FramesIn++;
        int reply = _app.Respond(buffer.AsSpan(0, length), buffer, out _);
        if (reply == 0)
            return;
        if (_tap.TryWrite(buffer.AsSpan(0, reply)))
            RepliesOut++;
        else
            RepliesDropped++;
    }
}
