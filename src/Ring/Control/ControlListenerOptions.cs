namespace Ring.Control;

/// <summary>Limits of a <see cref="ControlListener"/>, checked here so the listener can trust them.</summary>
internal sealed class ControlListenerOptions
{
    /// <summary>The defaults: 2 s for HELLO, 4 observers, 8 connections waiting for HELLO.</summary>
    public static ControlListenerOptions Default { get; } = new();

    /// <param name="helloTimeout">How long a connection may stay silent before it is refused (default 2 s, at most 60 s).</param>
    /// <param name="maxObservers">Observers attached at once (0 to 64).</param>
    /// <param name="maxPending">Connections waiting for their HELLO at once (1 to 64); more are refused at once.</param>
    public ControlListenerOptions(TimeSpan? helloTimeout = null, int maxObservers = 4, int maxPending = 8)
    {
        HelloTimeout = helloTimeout ?? TimeSpan.FromSeconds(2);
        if (HelloTimeout <= TimeSpan.Zero || HelloTimeout > TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(helloTimeout), HelloTimeout, "HELLO timeout must be in (0, 60 s]");
        ArgumentOutOfRangeException.ThrowIfNegative(maxObservers);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxObservers, 64);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPending, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPending, 64);
        MaxObservers = maxObservers;
        MaxPending = maxPending;
    }

    /// <summary>How long a connection may stay silent before it is refused with <see cref="ControlReason.HelloTimeout"/>.</summary>
    public TimeSpan HelloTimeout { get; }

    /// <summary>Observers attached at once; one more is refused with <see cref="ControlReason.TooManyPeers"/>.</summary>
    public int MaxObservers { get; }

    /// <summary>Connections waiting for HELLO at once; one more is refused with <see cref="ControlReason.TooManyPeers"/>.</summary>
    public int MaxPending { get; }
}
