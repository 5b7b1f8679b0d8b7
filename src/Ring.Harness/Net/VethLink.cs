namespace Ring.Harness.Net;

/// <summary>
/// The kernel's own path, the fair reference for a ping through the ring: two namespaces joined by a veth pair,
/// <see cref="NearAddress"/> in <see cref="Near"/> and <see cref="FarAddress"/> in <see cref="Far"/>. Disposing
/// deletes both namespaces, and the pair with them.
/// </summary>
public sealed class VethLink : IDisposable
{
    /// <summary>The near end's address (it pings).</summary>
    public const string NearAddress = "10.78.0.1";
    /// <summary>The far end's address (the kernel answers).</summary>
    public const string FarAddress = "10.78.0.2";

    private VethLink(NetworkNamespace near, NetworkNamespace far)
    {
        Near = near;
        Far = far;
    }

    /// <summary>The namespace that pings.</summary>
    public NetworkNamespace Near { get; }

    /// <summary>The namespace that answers.</summary>
    public NetworkNamespace Far { get; }

    /// <summary>Creates both namespaces and the pair, addressed and up, with <paramref name="mtu"/>.</summary>
    public static VethLink Create(int mtu = 1500)
    {
        var near = NetworkNamespace.Create();
        NetworkNamespace? far = null;
        try
        {
            far = NetworkNamespace.Create();
            string m = mtu.ToString(System.Globalization.CultureInfo.InvariantCulture);
            near.Ip("link", "add", "veth0", "mtu", m, "type", "veth", "peer", "name", "veth1", "mtu", m, "netns", far.Name);
            near.Ip("addr", "add", $"{NearAddress}/24", "dev", "veth0");
            far.Ip("addr", "add", $"{FarAddress}/24", "dev", "veth1");
            near.Ip("link", "set", "veth0", "up");
            far.Ip("link", "set", "veth1", "up");
            return new VethLink(near, far);
        }
        catch
        {
            far?.Dispose();
            near.Dispose();
            throw;
        }
    }

    /// <summary>Pings <see cref="FarAddress"/> from <see cref="Near"/> (see <see cref="PingCommand.Run"/>).</summary>
    public PingSummary Ping(int count, double intervalSeconds, int size, CancellationToken cancel = default) =>
        PingCommand.Run(Near, FarAddress, count, intervalSeconds, size, cancel);

    /// <summary>Floods <see cref="FarAddress"/> from <see cref="Near"/> (see <see cref="PingCommand.Flood"/>).</summary>
    public (PingSummary Summary, TimeSpan Elapsed) Flood(int count, int size, int preload, CancellationToken cancel = default) =>
        PingCommand.Flood(Near, FarAddress, count, size, preload, cancel);

    /// <summary>Deletes both namespaces.</summary>
    public void Dispose()
    {
        Near.Dispose();
        Far.Dispose();
    }
}
