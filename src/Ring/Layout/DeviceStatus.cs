namespace Ring.Layout;

/// <summary>Device status bits: virtio's device status field, plus one bit per side for leaving on purpose.</summary>
[Flags]
internal enum DeviceStatus : uint
{
    /// <summary>Nothing yet: the region is new.</summary>
    None = 0,
    /// <summary>The guest has noticed the device.</summary>
    Acknowledge = 1,
    /// <summary>The guest knows how to drive the device.</summary>
    Driver = 2,
    /// <summary>The guest is set up and has posted its buffers; the device may run.</summary>
    DriverOk = 4,
    /// <summary>Feature negotiation is complete.</summary>
    FeaturesOk = 8,
    /// <summary>A side found the other violating the protocol; see the violation field. Both stop.</summary>
    DeviceNeedsReset = 64,
    /// <summary>A side gave up (bad geometry, features it cannot accept, interrupted during the handshake).</summary>
    Failed = 128,
    /// <summary>The guest left on purpose (disposed or completed): the device reports it left, not that it died.</summary>
    GuestLeft = 256,
    /// <summary>The device left on purpose.</summary>
    DeviceLeft = 512,
}
