namespace Ring;

/// <summary>
/// An error the programs report as one line and a non-zero exit: a missing, foreign or corrupt region, a dead
/// peer, a protocol violation, a handshake that did not complete.
/// </summary>
public class RingException(string message) : Exception(message);
