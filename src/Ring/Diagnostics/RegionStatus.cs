namespace Ring;

/// <summary>The status bits of a region's header (docs/LAYOUT.md): virtio's device status, and one bit per side for
/// leaving on purpose.</summary>
[Flags]
public enum RegionStatus : uint
{
    /// <summary>Nothing yet: the region is new.</summary>
    None = 0,
    /// <summary>The guest has seen a device claim the region.</summary>
    Acknowledge = 1,
    /// <summary>The guest knows how to drive the device.</summary>
    Driver = 2,
    /// <summary>The guest has posted its buffers; the device may run.</summary>
    DriverOk = 4,
    /// <summary>Feature negotiation is complete.</summary>
    FeaturesOk = 8,
    /// <summary>A side found the other violating the protocol.</summary>
    DeviceNeedsReset = 64,
    /// <summary>A side gave up.</summary>
    Failed = 128,
    /// <summary>The guest left on purpose.</summary>
    GuestLeft = 256,
    /// <summary>The device left on purpose.</summary>
    DeviceLeft = 512,
}
