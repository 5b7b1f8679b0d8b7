namespace Ring.Memory;

/// <summary>Offsets, from the start of the region, of one queue pair's control block, counters and rings.</summary>
internal readonly record struct QueuePairOffsets(long Control, long Counters, long RxFill, long RxCompletion, long Tx, long TxCompletion);
