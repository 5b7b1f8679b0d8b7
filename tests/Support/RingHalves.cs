using System.Reflection;
using Ring.Rings;

namespace Ring.Tests.Support;

/// <summary>
/// Builds ring halves over memory the tests mapped themselves (a <see cref="HostilePeer"/> view). The internal
/// constructors take a <c>byte*</c>, which safe code cannot name; reflection passes a native int for a pointer
/// parameter, so the tests need no unsafe code and the library needs no test-only entry point.
/// </summary>
internal static class RingHalves
{
    /// <summary>The writer's half of the ring at <paramref name="ring"/> (an address, as <see cref="HostilePeer.Address"/> gives).</summary>
    public static RingWriter<T> Writer<T>(nint ring, int size, string name) where T : unmanaged =>
        Construct<RingWriter<T>>(ring, size, name);

    /// <summary>The reader's half of the ring at <paramref name="ring"/>.</summary>
    public static RingReader<T> Reader<T>(nint ring, int size, string name) where T : unmanaged =>
        Construct<RingReader<T>>(ring, size, name);

    private static THalf Construct<THalf>(nint ring, int size, string name)
    {
        var constructor = typeof(THalf)
            .GetConstructors(BindingFlags.NonPublic | BindingFlags.Instance)
            .Single(c => c.GetParameters() is [{ ParameterType.IsPointer: true }, _, _]);
        // DoNotWrapExceptions: a RingProtocolException from the constructor reaches the test as itself.
        return (THalf)constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, [ring, size, name], culture: null);
    }
}
