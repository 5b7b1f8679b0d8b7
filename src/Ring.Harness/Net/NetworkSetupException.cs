namespace Ring.Harness.Net;

/// <summary>A command that sets up or uses a test network (ip, ping) failed or is missing; the message is one line
/// naming the command and its own first error line.</summary>
public sealed class NetworkSetupException(string message) : Exception(message);
