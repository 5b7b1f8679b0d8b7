using Ring;
using Ring.Control;

// The other process in the control channel tests. Usage:
//   ControlPeer device|observer <socket> : attach, print "attached <generation> <length> <writable>", then the
//       device writes its pid as a u64 at offset 0 and prints "wrote"; an observer prints "read <u64 at offset 8>".
//   ControlPeer guest <socket> <length>  : create and seal a region, write 0x5EED at offset 8, listen, print
//       "listening", then one line per listener event.
// Then every role reads commands from stdin: "bye" (say BYE and exit 0), "read" (print "read <u64 at 0> <u64 at 8>").
// A watcher prints "peer <status>" when the other side goes; an attach failure prints "error <reason> <line>", exit 2.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: ControlPeer device|observer|guest <socket> [length]");
    return 64;
}
try
{
    return args[0] switch
    {
        "device" or "observer" => RunPeer(args[0] == "device" ? PeerRole.Device : PeerRole.Observer, args[1]),
        "guest" => RunGuest(args[1], long.Parse(args[2])),
        _ => 64,
    };
}
catch (ControlException e)
{
    Console.WriteLine($"error {e.Code} {e.Message}");
    return 2;
}

static unsafe int RunPeer(PeerRole role, string socket)
{
    using var session = ControlClient.Connect(socket, role, TimeSpan.FromSeconds(20));
    var memory = session.Memory;
    Console.WriteLine($"attached {session.Generation} {memory.Length} {memory.IsWritable}");
    if (role == PeerRole.Device)
    {
        *(ulong*)memory.Address = (ulong)Environment.ProcessId;
        Console.WriteLine("wrote");
    }
    else
    {
        Console.WriteLine($"read {*(ulong*)(memory.Address + 8)}");
    }
    var watcher = new Thread(() => Console.WriteLine($"peer {session.Connection.Wait(Timeout.InfiniteTimeSpan)}")) { IsBackground = true };
    watcher.Start();
    return Commands(memory, () => session.Connection.SendBye(ControlReason.Stopping, "the peer was asked to stop"));
}

static unsafe int RunGuest(string socket, long length)
{
    using var memory = SealedMemory.Create("ring-controlpeer", length);
    *(ulong*)(memory.Address + 8) = 0x5EED;
    using var listener = ControlListener.Bind(socket, memory);
    Console.WriteLine("listening");
    var stop = new CancellationTokenSource();
    var pump = new Thread(() =>
    {
        try
        {
            while (!stop.IsCancellationRequested)
                if (listener.WaitForEvent(TimeSpan.FromMilliseconds(100), out var e, stop.Token))
                    Console.WriteLine($"event {e.Kind} {e}");
        }
        catch (OperationCanceledException)
        {
        }
    });
    pump.Start();
    int code = Commands(memory, stop.Cancel);
    pump.Join();
    return code;
}

static unsafe int Commands(SealedMemory memory, Action bye)
{
    while (Console.ReadLine() is { } line)
    {
        switch (line)
        {
            case "bye":
                bye();
                return 0;
            case "read":
                Console.WriteLine($"read {*(ulong*)memory.Address} {*(ulong*)(memory.Address + 8)}");
                break;
        }
    }
    return 0;
}
