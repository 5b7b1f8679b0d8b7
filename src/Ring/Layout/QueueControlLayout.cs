namespace Ring.Layout;

/// <summary>
/// A queue pair's control block: end-of-stream marks, one per direction, each in its own block because each
/// is written by a different side.
/// </summary>
public static class QueueControlLayout
{
    /// <summary>u64 RX end of stream, written by the device: 0 while it sends, else
    /// <see cref="EndOfStreamFlag"/> | the number of RX completions it posted in all.</summary>
    public const int RxEndOfStreamOffset = 0;
    /// <summary>u64 TX end of stream, written by the driver: 0 while it sends, else
    /// <see cref="EndOfStreamFlag"/> | the number of TX descriptors it posted in all.</summary>
    public const int TxEndOfStreamOffset = RegionLayout.BlockLength;
    /// <summary>Length of the control block.</summary>
    public const int Length = 2 * RegionLayout.BlockLength;

    /// <summary>Top bit of an end-of-stream word: set once the total below it is final.</summary>
    public const ulong EndOfStreamFlag = 1UL << 63;
}
