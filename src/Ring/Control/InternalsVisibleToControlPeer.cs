using System.Runtime.CompilerServices;

// The control channel is internal until the lead wires it into the region lifecycle; the tests' peer process
// (tests/ControlPeer) drives it from a second process, as the Producer will.
[assembly: InternalsVisibleTo("ControlPeer")]
