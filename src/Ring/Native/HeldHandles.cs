using System.Runtime.InteropServices;

namespace Ring.Native;

/// <summary>
/// References held on several descriptors while their numbers sit in a poll set, so none can be closed (and its
/// number reused) during the call, as a single <see cref="SafeHandle"/> argument is protected by the marshaller.
/// </summary>
internal sealed class HeldHandles(int capacity)
{
    private readonly List<SafeHandle> _held = new(capacity);

    /// <summary>Takes a reference on <paramref name="handle"/> until <see cref="ReleaseAll"/>.</summary>
    public void Add(SafeHandle handle)
    {
        bool added = false;
        handle.DangerousAddRef(ref added);
        if (added)
            _held.Add(handle);
    }

    /// <summary>Gives back every reference taken.</summary>
    public void ReleaseAll()
    {
        foreach (var handle in _held)
            handle.DangerousRelease();
        _held.Clear();
    }
}
