namespace Ring.Control;

/// <summary>What a <see cref="ControlListener"/> poll found.</summary>
internal enum ControlEventKind
{
    /// <summary>A device was accepted and given the region read-write; <see cref="ControlEvent.Generation"/> is its session.</summary>
    DeviceAttached,

    /// <summary>The attached device left (BYE), died (hang-up) or broke the protocol; see <see cref="ControlEvent.Status"/>.
    /// Its slot stays taken until <see cref="ControlListener.DetachDevice"/>.</summary>
    DeviceGone,

    /// <summary>An observer was accepted and given the region read-only.</summary>
    ObserverAttached,

    /// <summary>An observer left, died or broke the protocol; it is already removed.</summary>
    ObserverGone,

    /// <summary>A connection was turned away (REFUSE sent, connection closed); the reason and text say why.</summary>
    Refused,
}
