namespace Ring.Control;

/// <summary>The control message types (u16 at <see cref="MessageLayout.TypeOffset"/>).</summary>
internal enum MessageType : ushort
{
    /// <summary>Peer to guest, first and only once: version, role, pid.</summary>
    Hello = 1,

    /// <summary>Guest to peer, answers HELLO: the region's memfd (SCM_RIGHTS), its length, the session generation.</summary>
    Region = 2,

    /// <summary>Guest to peer, answers HELLO: a reason and one line of text; the guest then closes.</summary>
    Refuse = 3,

    /// <summary>Either side, last: it is leaving on purpose, with a reason and one line of text.</summary>
    Bye = 4,
}
