using System.Diagnostics;
using Ring.Control;
using Ring.Memory;

namespace Ring.Region;

/// <summary>
/// The guest's end of the control channel: the listener on the region's socket, driven by the guest's handshake
/// until a device attaches, then by a thread of its own that answers observers (read-only region), refuses a second
/// device and keeps the hang-up of the device visible to <see cref="ControlConnection.Check"/>.
/// </summary>
internal sealed class GuestControl : IDisposable
{
    private readonly ControlListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private Thread? _thread;

    private GuestControl(ControlListener listener) => _listener = listener;

    /// <summary>Listens for region <paramref name="path"/> on <paramref name="memory"/>. Throws
    /// <see cref="ControlException"/> (a <see cref="RingException"/>) when a live guest owns the path or it cannot be
    /// used.</summary>
    public static GuestControl Bind(string path, SealedMemory memory) => new(ControlListener.Bind(path, memory));

    /// <summary>A socket left by a guest that crashed was found and replaced.</summary>
    public bool ReplacedStaleRegion => _listener.ReplacedStaleSocket;

    /// <summary>The attached device's connection (null before one attached).</summary>
    public ControlConnection? Device => _listener.Device;

    /// <summary>The attached device's session generation.</summary>
    public ulong Generation => _listener.Generation;

    /// <summary>Waits, until <paramref name="deadline"/> (Stopwatch ticks), for a device to attach; returns its connection.</summary>
    public async ValueTask<ControlConnection> WaitForDeviceAsync(long deadline, string what, CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_listener.TryPoll(out var controlEvent))
                if (controlEvent.Kind == ControlEventKind.DeviceAttached && _listener.Device is { } device)
                    return device;
            if (Stopwatch.GetTimestamp() > deadline)
                throw new RingException(RingErrorReason.TimedOut, $"timed out waiting for {what}");
            await Task.Delay(2, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>From now on a thread drives the listener (observers come and go, a second device is refused).</summary>
    public void StartWatching()
    {
        _thread = new Thread(Watch) { IsBackground = true, Name = "ring guest control" };
        _thread.Start();
    }

    /// <summary>Says BYE to the device with <paramref name="text"/>, then stops; the device reports that the guest left.</summary>
    public void Leave(string text)
    {
        StopWatching();
        if (_listener.Device is { } device && device.Check().IsAlive)
            device.SendBye(ControlReason.Stopping, text);
    }

    /// <summary>Stops the thread, says BYE to everyone still attached, removes the socket and releases the lock.</summary>
    public void Dispose()
    {
        StopWatching();
        _listener.Dispose();
        _stop.Dispose();
    }

    private void StopWatching()
    {
        if (_stop.IsCancellationRequested)
            return;
        _stop.Cancel();
        _thread?.Join();
    }

    private void Watch()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
                _listener.WaitForEvent(TimeSpan.FromMilliseconds(50), out _, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }
}
