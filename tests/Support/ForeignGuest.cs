using Ring.Control;
using Ring.Region;

namespace Ring.Tests.Support;

/// <summary>
/// A guest that hands out sealed memory holding whatever bytes a test gives it, header or not, at a region's socket:
/// what a device gets from a guest that is not a Ring guest at all, or a broken one. Disposing stops listening.
/// </summary>
internal sealed unsafe class ForeignGuest : IDisposable
{
    private readonly SealedMemory _memory;
    private readonly GuestControl _control;

    private ForeignGuest(SealedMemory memory, GuestControl control)
    {
        _memory = memory;
        _control = control;
    }

    /// <summary>Serves <paramref name="bytes"/> (at least one) as region <paramref name="name"/>.</summary>
    public static ForeignGuest Serve(string name, ReadOnlySpan<byte> bytes)
    {
        var memory = SealedMemory.Create("ring-" + name, bytes.Length);
        try
        {
            bytes.CopyTo(new Span<byte>(memory.Address, bytes.Length));
            return new ForeignGuest(memory, GuestControl.Bind(RegionPaths.ForName(name), memory));
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>The bytes served, as they are now.</summary>
    public ReadOnlySpan<byte> Bytes => new(_memory.Address, checked((int)_memory.Length));

    /// <inheritdoc />
    public void Dispose()
    {
        _control.Dispose();
        _memory.Dispose();
    }
}
