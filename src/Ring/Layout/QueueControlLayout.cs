namespace Ring.Layout;

/// <summary>
/// A queue pair's control block: the end-of-stream marks, one per direction, and each side's doorbell (see
/// docs/DOORBELL.md). Every word is written by one side only and sits in a block of its own, except the
/// once-written <c>MaySleep</c> words, which share the block of the same side's need-wakeup flag.
/// </summary>
/// <remarks>
/// A side sleeps on one doorbell per queue pair, whichever of its rings the work arrives on: a futex waits on one
/// word, and the guest in both directions waits on the RX completion and the TX completion rings at once.
/// </remarks>
internal static class QueueControlLayout
{
    /// <summary>u64 RX end of stream, written by the device: 0 while it sends, else
    /// <see cref="EndOfStreamFlag"/> | the number of RX completions it posted in all.</summary>
    public const int RxEndOfStreamOffset = 0;
    /// <summary>u64 TX end of stream, written by the guest: 0 while it sends, else
    /// <see cref="EndOfStreamFlag"/> | the number of TX descriptors it posted in all.</summary>
    public const int TxEndOfStreamOffset = RxEndOfStreamOffset + RegionLayout.BlockLength;
    /// <summary>u32 futex word the guest sleeps on; the device increments it and wakes the guest.</summary>
    public const int GuestDoorbellOffset = TxEndOfStreamOffset + RegionLayout.BlockLength;
    /// <summary>u32 need_wakeup, written by the guest: 0, or while it announces a sleep the sleep's odd tag.</summary>
    public const int GuestNeedsWakeupOffset = GuestDoorbellOffset + RegionLayout.BlockLength;
    /// <summary>u32 1 when the guest's mode can sleep, written once by the guest before DRIVER_OK.</summary>
    public const int GuestMaySleepOffset = GuestNeedsWakeupOffset + sizeof(uint);
    /// <summary>u32 futex word the device sleeps on; the guest increments it and wakes the device.</summary>
    public const int DeviceDoorbellOffset = GuestNeedsWakeupOffset + RegionLayout.BlockLength;
    /// <summary>u32 need_wakeup, written by the device: 0, or while it announces a sleep the sleep's odd tag.</summary>
    public const int DeviceNeedsWakeupOffset = DeviceDoorbellOffset + RegionLayout.BlockLength;
    /// <summary>u32 1 when the device's mode can sleep, written once by the device before it sets DeviceReady.</summary>
    public const int DeviceMaySleepOffset = DeviceNeedsWakeupOffset + sizeof(uint);
    /// <summary>Length of the control block.</summary>
    public const int Length = DeviceNeedsWakeupOffset + RegionLayout.BlockLength;

    /// <summary>Top bit of an end-of-stream word: set once the total below it is final.</summary>
    public const ulong EndOfStreamFlag = 1UL << 63;
}
