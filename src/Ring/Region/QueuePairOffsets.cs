namespace Ring.Region;

/// <summary>Offsets, from the start of the region, of one queue pair's control block and rings.</summary>
public readonly record struct QueuePairOffsets(long Control, long RxFill, long RxCompletion, long Tx, long TxCompletion);
