using Ring.Harness.Net;

namespace Producer;

/// <summary>Where the device's frames come from and go to (<c>--uplink</c>).</summary>
internal enum UplinkKind
{
    /// <summary>The sequence-numbered generator and checker (the benchmarks' traffic).</summary>
    Gen,
    /// <summary>A Linux TAP interface: the device bridges it to the guest, both ways.</summary>
    Tap,
    /// <summary>A classic pcap capture, replayed into the guest.</summary>
    Pcap,
}

/// <summary>The parsed <c>--uplink gen|tap:NAME|pcap:FILE</c>.</summary>
/// <param name="Kind">Which uplink.</param>
/// <param name="Target">The TAP's name or the capture's path; empty for gen.</param>
internal sealed record Uplink(UplinkKind Kind, string Target)
{
    /// <summary>Parses the option; throws <see cref="ArgumentException"/> with one line.</summary>
    public static Uplink Parse(string text)
    {
        if (text == "gen")
            return new Uplink(UplinkKind.Gen, "");
        int colon = text.IndexOf(':');
        string kind = colon < 0 ? text : text[..colon];
        string target = colon < 0 ? "" : text[(colon + 1)..];
        switch (kind)
        {
            case "tap" when target.Length is > 0 and <= TapDevice.MaxNameLength && !target.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)):
                return new Uplink(UplinkKind.Tap, target);
            case "tap":
                throw new ArgumentException($"--uplink tap:NAME needs an interface name of 1 to {TapDevice.MaxNameLength} characters, not '{target}'");
            case "pcap" when target.Length > 0:
                return new Uplink(UplinkKind.Pcap, target);
            case "pcap":
                throw new ArgumentException("--uplink pcap:FILE needs the capture's path");
            default:
                throw new ArgumentException($"unknown --uplink '{text}' (use gen, tap:NAME or pcap:FILE)");
        }
    }

    /// <summary>As the command line spells it.</summary>
    public override string ToString() => Kind switch
    {
        UplinkKind.Gen => "gen",
        UplinkKind.Tap => $"tap:{Target}",
        _ => $"pcap:{Target}",
    };
}
