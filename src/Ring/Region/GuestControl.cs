using System.Diagnostics;
using Ring.Control;
using Ring.Memory;

namespace Ring.Region;

/// <summary>
/// The guest's end of the control channel: the listener on the region's socket and the thread that drives it from
/// the moment the region exists. It answers observers (the region, read-only) at any time, takes one device and
/// refuses others, and keeps the device's hang-up visible to <see cref="ControlConnection.Check"/>. The guest's
/// handshake waits here for a device to attach.
/// </summary>
internal sealed class GuestControl : IDisposable
{
    private readonly ControlListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly object _gate = new();
    private TaskCompletionSource<(ControlConnection Device, ulong Generation)> _attached = NewAttached();

    private GuestControl(ControlListener listener)
    {
        _listener = listener;
        _thread = new Thread(Watch) { IsBackground = true, Name = "ring guest control" };
        _thread.Start();
    }

    /// <summary>Listens for region <paramref name="path"/> on <paramref name="memory"/>. Throws
    /// <see cref="ControlException"/> (a <see cref="RingException"/>) when a live guest owns the path or it cannot be
    /// used.</summary>
    public static GuestControl Bind(string path, SealedMemory memory) => new(ControlListener.Bind(path, memory));

    /// <summary>A socket left by a guest that crashed was found and replaced.</summary>
    public bool ReplacedStaleRegion => _listener.ReplacedStaleSocket;

    /// <summary>Waits, until <paramref name="deadline"/> (Stopwatch ticks), for a device to attach; returns its connection
    /// and the generation of its session.</summary>
    public async ValueTask<(ControlConnection Device, ulong Generation)> WaitForDeviceAsync(long deadline, string what,
        CancellationToken cancellationToken)
    {
        Task<(ControlConnection, ulong)> attached;
        lock (_gate)
            attached = _attached.Task;
        long remaining = deadline - Stopwatch.GetTimestamp();
        var timeout = remaining <= 0 ? TimeSpan.Zero : deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : Stopwatch.GetElapsedTime(0, remaining);
        try
        {
            return await attached.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new RingException(RingErrorReason.TimedOut, $"timed out waiting for {what}");
        }
    }

    /// <summary>Frees the device slot for the next device (after the guest took back what the last one held); the next
    /// attach gets the next generation.</summary>
    public void DetachDevice(string text)
    {
        lock (_gate)
        {
            _listener.DetachDevice(ControlReason.Detached, text);
            _attached = NewAttached();
        }
    }

    /// <summary>Says BYE to the device with <paramref name="text"/>; the device reports that the guest left.</summary>
    public void Leave(string text)
    {
        lock (_gate)
        {
            if (_listener.Device is { } device && device.Check().IsAlive)
                device.SendBye(ControlReason.Stopping, text);
        }
    }

    /// <summary>Stops the thread, says BYE to everyone still attached, removes the socket and releases the lock.</summary>
    public void Dispose()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        _thread.Join();
        _listener.Dispose();
        _stop.Dispose();
    }

    private static TaskCompletionSource<(ControlConnection, ulong)> NewAttached() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Watch()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                // The listener is not thread-safe: this thread drives it, under the lock the other calls take too (they
                // wait at most one slice of the poll).
                lock (_gate)
                {
                    if (_listener.WaitForEvent(TimeSpan.FromMilliseconds(50), out var controlEvent, _stop.Token)
                        && controlEvent.Kind == ControlEventKind.DeviceAttached && _listener.Device is { } device)
                        _attached.TrySetResult((device, controlEvent.Generation));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
