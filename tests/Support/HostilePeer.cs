using System.Diagnostics;
using Ring.Control;
using Ring.Layout;
using Ring.Memory;
using Ring.Region;

namespace Ring.Tests.Support;

/// <summary>
/// A mapping of a region of its own, read-write, the way a buggy or hostile peer process would hold one: it reads
/// and writes the rings' raw entries (<see cref="RawRing"/>, with the generation bits right or wrong on purpose), the
/// control words and the header at the offsets the layout classes and <see cref="RegionGeometry"/> give. It can play
/// either side's part of the handshake with raw stores, so a real <see cref="Guest"/> or a real <see cref="Device"/>
/// runs against a peer that is nothing but this mapping; or it can sit beside a real pair as an observer or a forger.
/// </summary>
internal sealed unsafe class HostilePeer : IDisposable
{
    private readonly MappedRegion _region;
    private readonly IDisposable? _owned; // the guest's control channel, or the device's connection, this peer plays
    private readonly QueueRings[] _queues;

    private HostilePeer(MappedRegion region, RegionGeometry geometry, IDisposable? owned)
    {
        _region = region;
        _owned = owned;
        Geometry = geometry;
        _queues = new QueueRings[geometry.QueuePairs];
        for (int q = 0; q < _queues.Length; q++)
            _queues[q] = new QueueRings(region.Base, geometry, q);
    }

    /// <summary>The region's geometry.</summary>
    public RegionGeometry Geometry { get; }

    /// <summary>The region's path (its control socket).</summary>
    public string Path => _region.Path;

    /// <summary>This mapping, as the library's own code takes one (e.g. <see cref="HeaderCheck.Validate"/>).</summary>
    public MappedRegion Region => _region;

    /// <summary>The header, through this mapping.</summary>
    public RegionHeader Header => new(_region.Base);

    /// <summary>The first byte of the pool in this mapping.</summary>
    public byte* Pool => _region.Base + Geometry.PoolOffset;

    /// <summary>The <paramref name="length"/> bytes of the buffer at pool offset <paramref name="offset"/> (trusted: a test's).</summary>
    public Span<byte> PoolBytes(ulong offset, int length) => new(Pool + offset, length);

    /// <summary>Queue pair <paramref name="q"/>'s rings and control block.</summary>
    public QueueRings Queue(int q = 0) => _queues[q];

    /// <summary>Pool offset of RX buffer <paramref name="i"/> of queue <paramref name="q"/> (the guest's partition).</summary>
    public ulong RxBuffer(int i, int q = 0) => Geometry.RxFirst(q) + (ulong)i * (ulong)Geometry.BufferStride;

    /// <summary>Pool offset of TX buffer <paramref name="i"/> of queue <paramref name="q"/>.</summary>
    public ulong TxBuffer(int i, int q = 0) => Geometry.TxFirst(q) + (ulong)i * (ulong)Geometry.BufferStride;

    /// <summary>Another hold on <paramref name="guest"/>'s region, in this process, playing no part: to observe or forge.
    /// <paramref name="geometry"/> must be the one the region's header holds.</summary>
    public static HostilePeer Open(Guest guest, RegionGeometry geometry)
    {
        CheckGeometry(guest.Region, geometry);
        guest.Region.AddRef();
        return new HostilePeer(guest.Region, geometry, owned: null);
    }

    /// <summary>Another hold on <paramref name="peer"/>'s region, playing no part: to observe or forge.</summary>
    public static HostilePeer Open(HostilePeer peer, RegionGeometry geometry)
    {
        CheckGeometry(peer._region, geometry);
        peer._region.AddRef();
        return new HostilePeer(peer._region, geometry, owned: null);
    }

    /// <summary>
    /// Attaches to <paramref name="guest"/>'s control socket as its device, which hands over the region, and plays the
    /// device's part of the handshake with raw stores (<see cref="PlayDevice"/>). The guest's <see cref="Guest.StartAsync"/>
    /// then completes against a device that is only this mapping. <paramref name="geometry"/> must be the guest's.
    /// </summary>
    public static HostilePeer ActAsDevice(Guest guest, RegionGeometry geometry, bool maySleep = false, bool chains = false) =>
        ActAsDevice(guest.Path, geometry, maySleep, chains);

    /// <summary>As <see cref="ActAsDevice(Guest, RegionGeometry, bool, bool)"/>, for the guest listening at
    /// <paramref name="path"/>: another process (the real Consumer), whose handshake then completes against this mapping.</summary>
    public static HostilePeer ActAsDevice(string path, RegionGeometry geometry, bool maySleep = false, bool chains = false)
    {
        var peer = AttachAsDevice(path);
        try
        {
            CheckGeometry(peer._region, geometry);
        }
        catch
        {
            peer.Dispose();
            throw;
        }
        peer.PlayDevice(maySleep, chains);
        return peer;
    }

    /// <summary>As <see cref="ActAsDevice(Guest, RegionGeometry, bool, bool)"/>, against the guest of another process
    /// listening at <paramref name="path"/>, with the geometry its header says.</summary>
    public static HostilePeer ActAsDevice(string path, bool maySleep = false, bool chains = false)
    {
        var peer = AttachAsDevice(path);
        peer.PlayDevice(maySleep, chains);
        return peer;
    }

    /// <summary>Connects to the guest at <paramref name="path"/> as its device and maps the region it hands over.</summary>
    private static HostilePeer AttachAsDevice(string path)
    {
        var session = ControlClient.Connect(path, PeerRole.Device, Deadline.Default);
        var region = new MappedRegion(path, session.Memory);
        try
        {
            return new HostilePeer(region, HeaderCheck.Validate(region), session.Connection);
        }
        catch
        {
            region.Release();
            session.Connection.Dispose();
            throw;
        }
    }

    /// <summary>The device's part of the handshake: offers END_OF_STREAM (and chained buffers when
    /// <paramref name="chains"/>), declares whether it may sleep, writes this process's pid and publishes DeviceReady.</summary>
    private void PlayDevice(bool maySleep, bool chains)
    {
        var header = Header;
        header.ExchangeDevicePid(0, Environment.ProcessId);
        header.DeviceFeatures = Features.EndOfStream | (chains ? Features.ChainedBuffers : Features.None);
        for (int q = 0; q < Geometry.QueuePairs; q++)
            Volatile.Write(ref Queue(q).Word(QueueControlLayout.DeviceMaySleepOffset), maySleep ? 1u : 0u);
        header.PublishDeviceReady();
    }

    /// <summary>
    /// Checks that <paramref name="region"/>'s header says <paramref name="geometry"/>: a view of another geometry (one
    /// ring's worth of buffers per direction against a guest that has four, say) names other buffers than the guest's,
    /// and what a test checks through it means nothing.
    /// </summary>
    private static void CheckGeometry(MappedRegion region, RegionGeometry geometry)
    {
        var written = HeaderCheck.Validate(region);
        Assert.True(written == geometry, $"the peer's view of {region.Path} is {geometry}, but its header says {written}");
    }

    /// <summary>Creates region <paramref name="name"/> with <paramref name="geometry"/> as a guest would (sealed memory,
    /// the header with the magic last, the control socket answering), to play the guest's part with
    /// <see cref="FinishGuestHandshake"/>. <paramref name="regionLength"/>, when given, is the length of the memory handed over instead of the geometry's
    /// (a region too short for what its header says; at least the header's length).</summary>
    public static HostilePeer CreateAsGuest(string name, RegionGeometry geometry, long? regionLength = null)
    {
        string path = RegionPaths.ForName(name);
        var memory = SealedMemory.Create("ring-" + name, regionLength ?? geometry.RegionLength);
        try
        {
            HeaderCheck.Write(new RegionHeader(memory.Address), geometry, WaitMode.Poll);
            var control = GuestControl.Bind(path, memory);
            return new HostilePeer(new MappedRegion(path, memory), geometry, control);
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The guest's part of the handshake, with raw stores (it blocks: run it beside the device's attach): waits for a
    /// device to attach and opens its session (the generation), waits for its DeviceReady, accepts END_OF_STREAM (and
    /// chained buffers when <paramref name="chains"/> and offered), declares that it never sleeps, posts a ring's worth
    /// of RX buffers of every queue on its fill ring when <paramref name="postFill"/>, and sets DRIVER_OK. A hostile guest
    /// accepts <paramref name="accepted"/> instead, offered or not.
    /// </summary>
    public void FinishGuestHandshake(bool postFill = true, bool chains = false, Features? accepted = null)
    {
        var control = _owned as GuestControl ?? throw new InvalidOperationException("only a peer made by CreateAsGuest plays the guest");
        var header = Header;
        long deadline = Stopwatch.GetTimestamp() + (long)(Deadline.Default.TotalSeconds * Stopwatch.Frequency);
        var (_, generation) = control.WaitForDeviceAsync(deadline, $"a device to attach to {Path}", CancellationToken.None)
            .AsTask().GetAwaiter().GetResult();
        header.SessionGeneration = generation;
        var clock = Stopwatch.StartNew();
        while (!header.DeviceReady)
        {
            Assert.True(clock.Elapsed < Deadline.Default, $"no device set DeviceReady on {Path} within {Deadline.Default.TotalSeconds:0} s");
            Thread.Sleep(1);
        }
        header.SetStatus(DeviceStatus.Acknowledge | DeviceStatus.Driver);
        header.GuestFeatures = accepted ?? header.DeviceFeatures & (Features.EndOfStream | (chains ? Features.ChainedBuffers : Features.None));
        header.SetStatus(DeviceStatus.FeaturesOk);
        for (int q = 0; q < Geometry.QueuePairs; q++)
        {
            Volatile.Write(ref Queue(q).Word(QueueControlLayout.GuestMaySleepOffset), 0u);
            if (postFill)
                Queue(q).Fill.PostBuffers(Enumerable.Range(0, Geometry.RingSize).Select(i => RxBuffer(i, q)).ToArray());
        }
        header.SetStatus(DeviceStatus.DriverOk);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _region.Release();
        _owned?.Dispose();
    }

    /// <summary>One queue pair's four rings and its control block, in this mapping.</summary>
    public sealed class QueueRings
    {
        private readonly byte* _control;

        public QueueRings(byte* regionBase, RegionGeometry geometry, int q)
        {
            Offsets = geometry.QueuePair(q);
            _control = regionBase + Offsets.Control;
            Counters = regionBase + Offsets.Counters;
            int n = geometry.RingSize;
            Fill = new RawRing(regionBase + Offsets.RxFill, n, DescriptorLayout.BufferEntryLength);
            RxCompletion = new RawRing(regionBase + Offsets.RxCompletion, n, DescriptorLayout.Length);
            Tx = new RawRing(regionBase + Offsets.Tx, n, DescriptorLayout.Length);
            TxCompletion = new RawRing(regionBase + Offsets.TxCompletion, n, DescriptorLayout.BufferEntryLength);
        }

        /// <summary>The queue pair's control block (<see cref="QueueControlLayout"/>).</summary>
        public byte* Control => _control;

        /// <summary>Where the queue pair's parts are, from the start of the region.</summary>
        public QueuePairOffsets Offsets { get; }

        /// <summary>The queue pair's counter blocks (<see cref="CountersLayout"/>).</summary>
        public byte* Counters { get; }

        /// <summary>RX fill: guest → device, free buffer offsets.</summary>
        public RawRing Fill { get; }

        /// <summary>RX completion: device → guest, descriptors of received packets.</summary>
        public RawRing RxCompletion { get; }

        /// <summary>TX: guest → device, descriptors of packets to send.</summary>
        public RawRing Tx { get; }

        /// <summary>TX completion: device → guest, offsets of sent buffers.</summary>
        public RawRing TxCompletion { get; }

        /// <summary>The u32 at <paramref name="offset"/> of the control block (<see cref="QueueControlLayout"/>).</summary>
        public ref uint Word(int offset) => ref *(uint*)(_control + offset);

        /// <summary>The u64 at <paramref name="offset"/> of the control block.</summary>
        public ref ulong Word64(int offset) => ref *(ulong*)(_control + offset);

        /// <summary>A copy of the queue pair's counter blocks.</summary>
        public byte[] CountersSnapshot() => new ReadOnlySpan<byte>(Counters, CountersLayout.Length).ToArray();

        /// <summary>Writes <paramref name="value"/> into every counter of every block, both sides' (a peer's forgery).</summary>
        public void FillCounters(ulong value) => new Span<ulong>(Counters, CountersLayout.Length / sizeof(ulong)).Fill(value);

        /// <summary>The u64 counter at <paramref name="offset"/> of counter block <paramref name="block"/>.</summary>
        public ulong Counter(int block, int offset) => Volatile.Read(ref *(ulong*)(Counters + block + offset));
    }
}
