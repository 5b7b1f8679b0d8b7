namespace Ring;

/// <summary>The features a guest accepted from its device's offer (docs/LAYOUT.md, "Feature bits").</summary>
[Flags]
public enum RegionFeatures : ulong
{
    /// <summary>None.</summary>
    None = 0,
    /// <summary>Writers mark their end of stream with a total.</summary>
    EndOfStream = 1UL << 0,
    /// <summary>A frame may span a chain of buffers.</summary>
    ChainedBuffers = 1UL << 1,
}
