using Ring.Harness.Net;
using Ring.Harness.Traffic;

namespace Consumer;

/// <summary>
/// What the guest runs on every queue pair, named as testpmd's forwarding modes (<c>--app</c>): <c>rxonly</c> checks the
/// device's sequence-numbered packets, <c>txonly</c> sends its own, <c>io</c> sends every frame back as it came,
/// <c>macswap</c> sends it back with its Ethernet addresses swapped, <c>icmpecho</c> answers ARP and ping for its
/// address and drops the rest. The older switches stay as aliases: <c>--echo</c> is <c>io</c>, <c>--direction rx</c>,
/// <c>tx</c> and <c>both</c> are <c>rxonly</c>, <c>txonly</c> and both at once (<c>rxtx</c>).
/// </summary>
/// <param name="Name">The application's name, for the summary.</param>
/// <param name="Direction">The rings it uses.</param>
/// <param name="NewForwarder">Makes one forwarding application per queue pair; null for the sequence-numbered ones.</param>
internal sealed record GuestAppChoice(string Name, Direction Direction, Func<IGuestApp>? NewForwarder)
{
    /// <summary>The Ethernet address icmpecho answers from unless <c>--mac</c> says otherwise.</summary>
    public static readonly MacAddress DefaultMac = MacAddress.Parse("02:52:49:4e:47:02");

    /// <summary>Whether it sends frames back (io, macswap, icmpecho) rather than checking or sending sequence numbers.</summary>
    public bool Forwards => NewForwarder is not null;

    /// <summary>
    /// The application the options name; throws <see cref="ArgumentException"/> with one line when they contradict
    /// each other or an address does not parse.
    /// </summary>
    public static GuestAppChoice Resolve(string? app, bool echo, string direction, string? ip, string? mac)
    {
        if (app is not null && echo)
            throw new ArgumentException("--echo is --app io: give one of them");
        if (app is not null && direction != "rx")
            throw new ArgumentException("--direction goes with the sequence-numbered traffic only; with --app, rxonly and txonly say it");
        string name = app ?? (echo ? "io" : DirectionNames.Parse(direction) switch
        {
            Direction.Rx => "rxonly",
            Direction.Tx => "txonly",
            _ => "rxtx",
        });
        if (name != "icmpecho" && (ip is not null || mac is not null))
            throw new ArgumentException("--ip and --mac go with --app icmpecho only");
        return name switch
        {
            "rxonly" => new(name, Direction.Rx, null),
            "txonly" => new(name, Direction.Tx, null),
            "rxtx" when app is null => new(name, Direction.Both, null),
            "io" => new(name, Direction.Both, static () => new IoForward()),
            "macswap" => new(name, Direction.Both, static () => new MacSwapForward()),
            "icmpecho" => IcmpEcho(ip, mac),
            _ => throw new ArgumentException($"unknown --app '{name}' (use rxonly, txonly, io, macswap or icmpecho)"),
        };
    }

    private static GuestAppChoice IcmpEcho(string? ip, string? mac)
    {
        var address = Ipv4Address.Parse(ip ?? throw new ArgumentException("--app icmpecho needs --ip, the address it answers for"));
        var ethernet = mac is null ? DefaultMac : MacAddress.Parse(mac);
        _ = new IcmpEcho(address, ethernet); // refuses a group address now, not on the first queue's thread
        return new("icmpecho", Direction.Both, () => new IcmpEcho(address, ethernet));
    }
}
