namespace Ring.Layout;

/// <summary>Device status bits, as virtio's device status field.</summary>
[Flags]
public enum DeviceStatus : uint
{
    /// <summary>Nothing yet: the region is new or was reset.</summary>
    None = 0,
    /// <summary>The driver has noticed the device.</summary>
    Acknowledge = 1,
    /// <summary>The driver knows how to drive the device.</summary>
    Driver = 2,
    /// <summary>The driver is set up and has posted its buffers; the device may run.</summary>
    DriverOk = 4,
    /// <summary>Feature negotiation is complete.</summary>
    FeaturesOk = 8,
    /// <summary>A side found the other violating the protocol; see the violation field. Both stop.</summary>
    DeviceNeedsReset = 64,
    /// <summary>A side gave up (bad geometry, features it cannot accept).</summary>
    Failed = 128,
}
