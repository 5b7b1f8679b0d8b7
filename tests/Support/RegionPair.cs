namespace Ring.Tests.Support;

/// <summary>
/// A <see cref="Ring.Guest"/> and a <see cref="Ring.Device"/> in this process on one fresh region under /dev/shm,
/// with the handshake done: the guest creates the region, the device attaches while the guest starts, and every
/// RX buffer is posted. Disposing disposes the device, then the guest (which deletes the file).
/// </summary>
internal sealed class RegionPair : IDisposable
{
    private RegionPair(string name, Guest guest, Device device)
    {
        Name = name;
        Guest = guest;
        Device = device;
    }

    /// <summary>The region's name (<c>/dev/shm/ring-&lt;name&gt;</c>).</summary>
    public string Name { get; }

    /// <summary>The guest side, owner of the region file.</summary>
    public Guest Guest { get; }

    /// <summary>The device side.</summary>
    public Device Device { get; }

    /// <summary>Queue pair <paramref name="q"/>, guest side (reader RX, writer TX).</summary>
    public QueuePair GuestQueue(int q = 0) => Guest.QueuePairs[q];

    /// <summary>Queue pair <paramref name="q"/>, device side (reader TX, writer RX).</summary>
    public QueuePair DeviceQueue(int q = 0) => Device.QueuePairs[q];

    /// <summary>
    /// Creates a region laid out as <paramref name="guestOptions"/> say and runs both halves of the handshake. Fails
    /// with a message when either side has not finished within <see cref="Deadline.Default"/>.
    /// </summary>
    public static async Task<RegionPair> StartAsync(GuestOptions? guestOptions = null, DeviceOptions? deviceOptions = null)
    {
        string name = Deadline.UniqueRegionName();
        guestOptions ??= new GuestOptions();
        deviceOptions ??= new DeviceOptions();
        guestOptions.AttachTimeout = Deadline.Default;
        deviceOptions.AttachTimeout = Deadline.Default;
        var guest = Guest.Create(name, guestOptions);
        var attach = Device.AttachAsync(name, deviceOptions).AsTask();
        try
        {
            await Deadline.Within(guest.StartAsync().AsTask(), $"the guest's start on {guest.Path}").ConfigureAwait(false);
            var device = await Deadline.Within(attach, $"the device's attach to {guest.Path}").ConfigureAwait(false);
            return new RegionPair(name, guest, device);
        }
        catch
        {
            // The device gives up at its own deadline; dispose it if it attaches after all.
            _ = attach.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully)
                    t.Result.Dispose();
            }, TaskScheduler.Default);
            guest.Dispose();
            throw;
        }
    }

    /// <summary>As <see cref="StartAsync"/>, blocking (for CsCheck's synchronous properties).</summary>
    public static RegionPair Start(GuestOptions? guestOptions = null, DeviceOptions? deviceOptions = null) =>
        Task.Run(() => StartAsync(guestOptions, deviceOptions)).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Dispose()
    {
        Device.Dispose();
        Guest.Dispose();
    }
}
