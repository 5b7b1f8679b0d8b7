namespace Ring;

/// <summary>Where a region is in its life, as an observer reads it from the status bits.</summary>
public enum RegionState
{
    /// <summary>The guest created it; no device has finished the handshake.</summary>
    WaitingForDevice,
    /// <summary>The handshake is done and the rings run.</summary>
    Running,
    /// <summary>The guest left (its application disposed it): the region is being torn down.</summary>
    GuestLeft,
    /// <summary>The device left; the guest still owns the region.</summary>
    DeviceLeft,
    /// <summary>A side marked it FAILED or NEEDS_RESET.</summary>
    Failed,
}
