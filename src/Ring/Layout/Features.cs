namespace Ring.Layout;

/// <summary>Feature bits: the device offers, the guest accepts a subset.</summary>
[Flags]
internal enum Features : ulong
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>The queue control block's end-of-stream words are honoured: a sender marks its total.</summary>
    EndOfStream = 1UL << 0,
    /// <summary>Chained buffers: a frame may span descriptors; all but the last lack END_OF_PACKET.</summary>
    ChainedBuffers = 1UL << 1,
}
