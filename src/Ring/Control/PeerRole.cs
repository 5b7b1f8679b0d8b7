namespace Ring.Control;

/// <summary>What a connecting peer asks to be, in HELLO (u16 on the wire).</summary>
internal enum PeerRole : ushort
{
    /// <summary>The device backend (the producer): one at a time, maps the region read-write.</summary>
    Device = 1,

    /// <summary>A read-only tool such as <c>stats</c>: any number up to a limit, beside the device, maps read-only.</summary>
    Observer = 2,
}
