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

/// <summary>Feature bits: the device offers, the driver accepts a subset.</summary>
[Flags]
public enum Features : ulong
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>The queue control block's end-of-stream words are honoured: a sender marks its total.</summary>
    EndOfStream = 1UL << 0,
    /// <summary>Chained buffers: a packet may span descriptors; all but the last lack EndOfPacket. Not offered yet.</summary>
    ChainedBuffers = 1UL << 1,
}

/// <summary>Descriptor flag bits (u16).</summary>
[Flags]
public enum DescriptorFlags : ushort
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Last descriptor of a packet. Every descriptor carries it until chained buffers are negotiated.</summary>
    EndOfPacket = 1,
}

/// <summary>Why a side moved the status to NEEDS_RESET. Stored in the header so the peer can say it too.</summary>
public enum ViolationCode : uint
{
    /// <summary>No violation.</summary>
    None = 0,
    /// <summary>A producer index advanced by more than the ring size, or went backwards.</summary>
    ProducerIndexJump = 1,
    /// <summary>A consumer index advanced past the producer index, or went backwards.</summary>
    ConsumerIndexJump = 2,
}
