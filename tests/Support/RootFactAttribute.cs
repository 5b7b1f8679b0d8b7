using Ring.Native;

namespace Ring.Tests.Support;

/// <summary>A fact that needs root (to hand a file to another user or run a peer as one); skipped, and said so, otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Files.EffectiveUid != 0)
            Skip = "needs root";
    }
}
