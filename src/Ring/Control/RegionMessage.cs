namespace Ring.Control;

/// <summary>REGION: the guest accepts the peer; the region's memfd travels with it as SCM_RIGHTS.</summary>
/// <param name="Generation">The device session this attach belongs to (observers get the current one, 0 before the
/// first device).</param>
/// <param name="Length">Bytes to map.</param>
/// <param name="Access">How the descriptor was opened, so how it can be mapped.</param>
internal sealed record RegionMessage(ulong Generation, long Length, RegionAccess Access) : ControlMessage
{
    /// <inheritdoc />
    public override MessageType Type => MessageType.Region;
}
