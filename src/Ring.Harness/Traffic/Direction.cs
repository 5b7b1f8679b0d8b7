namespace Ring.Harness.Traffic;

/// <summary>Which way packets move, from the guest's point of view.</summary>
[Flags]
public enum Direction
{
    /// <summary>Device to guest: RX fill and RX completion rings.</summary>
    Rx = 1,
    /// <summary>Guest to device: TX and TX completion rings.</summary>
    Tx = 2,
    /// <summary>Both at once.</summary>
    Both = Rx | Tx,
}
