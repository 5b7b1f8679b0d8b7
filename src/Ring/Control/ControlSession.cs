namespace Ring.Control;

/// <summary>
/// A device's or observer's attachment to a guest: the live control connection and the mapped region. The
/// connection says when the guest is gone (<see cref="ControlConnection.Check"/>); say BYE on it before disposing
/// to leave on purpose.
/// </summary>
internal sealed class ControlSession(ControlConnection connection, SealedMemory memory, ulong generation) : IDisposable
{
    /// <summary>The connection to the guest (its credentials, its liveness, our BYE).</summary>
    public ControlConnection Connection { get; } = connection;

    /// <summary>The region, mapped read-write for a device, read-only for an observer.</summary>
    public SealedMemory Memory { get; } = memory;

    /// <summary>The device session this attach belongs to (from REGION); for an observer, the guest's current one.</summary>
    public ulong Generation { get; } = generation;

    /// <inheritdoc />
    /// <remarks>Unmaps first, then closes, so the guest sees the hang-up only once we can no longer write.</remarks>
    public void Dispose()
    {
        Memory.Dispose();
        Connection.Dispose();
    }
}
