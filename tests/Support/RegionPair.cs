using Ring.Layout;
using Ring.Queues;
using Ring.Region;

namespace Ring.Tests.Support;

/// <summary>
/// A driver and a device in this process on one fresh region under /dev/shm, with the handshake done: queue
/// pair 0 is ready on both sides and the fill ring holds every RX buffer. Disposing unmaps both and deletes the file.
/// </summary>
internal sealed class RegionPair : IDisposable
{
    /// <summary>How long the handshake may take before the fixture fails.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private RegionPair(Driver driver, Device device)
    {
        Driver = driver;
        Device = device;
    }

    /// <summary>The guest side, owner of the region file.</summary>
    public Driver Driver { get; }

    /// <summary>The device side.</summary>
    public Device Device { get; }

    /// <summary>The region's geometry.</summary>
    public RegionGeometry Geometry => Driver.Geometry;

    /// <summary>Queue pair 0, guest side.</summary>
    public GuestQueue GuestQueue => Driver.Queue(0);

    /// <summary>Queue pair 0, device side.</summary>
    public DeviceQueue DeviceQueue => Device.Queue(0);

    /// <summary>A region file path no other test uses.</summary>
    public static string UniquePath() =>
        Path.Combine(RegionPath.SharedMemoryDirectory, $"ring-tests-{Guid.NewGuid():N}");

    /// <summary>A driver on a fresh region, no device attached and no handshake run.</summary>
    public static Driver CreateDriver(RegionGeometry geometry) => Driver.Create(UniquePath(), geometry);

    /// <summary>
    /// Creates a region with <paramref name="geometry"/> and runs both halves of the handshake: the device attaches on
    /// its own thread while the driver starts on this one. Fails with a message when either side does not finish
    /// within <see cref="Deadline"/>.
    /// </summary>
    public static RegionPair Start(RegionGeometry geometry)
    {
        var driver = CreateDriver(geometry);
        string path = driver.Path;
        // A dedicated thread: the attach blocks while it waits for the driver, so it must not hold a pool thread.
        var attach = Task.Factory.StartNew(() => Device.Attach(path, Features.EndOfStream, Deadline),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            driver.Start(Features.EndOfStream, Features.EndOfStream, Deadline);
            if (!attach.Wait(Deadline))
                throw new TimeoutException($"device did not attach to {path} within {Deadline.TotalSeconds} s");
            return new RegionPair(driver, attach.Result);
        }
        catch (Exception e)
        {
            // The device maps the file itself and gives up at its own deadline; dispose it if it attaches after all.
            attach.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                    t.Result.Dispose();
            }, TaskScheduler.Default);
            driver.Dispose();
            var cause = e is AggregateException { InnerException: { } inner } ? inner : e;
            throw new InvalidOperationException($"handshake on {path} failed: {cause.Message}", cause);
        }
    }

    /// <summary>A hostile peer's view of this region.</summary>
    public HostilePeer OpenPeer() => new(Driver.Path, Geometry);

    /// <inheritdoc />
    public void Dispose()
    {
        Device.Dispose();
        Driver.Dispose();
    }
}
