using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The NuGet package as a user gets it: <c>dotnet pack src/Ring -c Release</c> into a folder feed, a fresh console
/// project that references only that package and restores offline from that folder, and the app it builds run
/// against the real programs: as the guest, under the real Producer; as the device, for the real Consumer.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PackageTests : IClassFixture<PackageTests.PackagedApp>, IDisposable
{
    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    /// <summary>The app: "guest NAME COUNT" receives COUNT packets with await foreach and checks their sequence
    /// numbers; "device NAME COUNT" sends COUNT sequence-numbered 64-byte packets zero-copy and completes.</summary>
    private const string Program = """
        using System.Buffers.Binary;
        using Ring;

        string role = args[0], name = args[1];
        long count = long.Parse(args[2]);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        if (role == "guest")
        {
            await using var guest = Guest.Create(name, new GuestOptions { AttachTimeout = TimeSpan.FromSeconds(30) });
            await guest.StartAsync(deadline.Token);
            var reader = guest.QueuePairs[0].Reader;
            long next = 0;
            await foreach (PacketBurst burst in reader.ReceiveAllAsync(cancellationToken: deadline.Token))
            {
                for (int i = 0; i < burst.Count; i++)
                {
                    long sequence = BinaryPrimitives.ReadInt64LittleEndian(burst.Payload(i));
                    if (sequence != next)
                    {
                        Console.Error.WriteLine($"packet {next} carried sequence number {sequence}");
                        return 1;
                    }
                    next++;
                }
            }
            Console.WriteLine($"guest received {next} packets in order; peer total {reader.PeerTotal}; drops {reader.Counters.Drops}");
            return next == count ? 0 : 1;
        }
        else
        {
            await using var device = await Device.AttachAsync(name, new DeviceOptions { AttachTimeout = TimeSpan.FromSeconds(30) }, deadline.Token);
            var writer = device.QueuePairs[0].Writer;
            var burst = new Packet[32];
            long sequence = 0;
            while (sequence < count)
            {
                int n = writer.TryRent(burst.AsSpan(0, (int)Math.Min(burst.Length, count - sequence)));
                if (n == 0 && !await writer.WaitToSendAsync(deadline.Token))
                    throw new InvalidOperationException("the guest left");
                for (int i = 0; i < n; i++)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(writer.GetBuffer(burst[i]), sequence++);
                    burst[i] = burst[i].WithLength(64);
                }
                writer.TrySend(burst.AsSpan(0, n));
            }
            writer.Complete();
            Console.WriteLine($"device sent {writer.Counters.Packets} packets");
            return 0;
        }
        """;

    private readonly PackagedApp _packaged;
    private readonly ProgramRunner _runner = new();

    public PackageTests(PackagedApp packaged) => _packaged = packaged;

    [Fact]
    public void Pack_Nuspec_HasNoDependencyAndCarriesMetadata()
    {
        var package = _packaged.Package;
        var dependencies = package.Nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").ToList();

        Assert.Empty(dependencies);
        Assert.NotEqual("Ring", package.Id, StringComparer.OrdinalIgnoreCase); // taken on NuGet
        Assert.Matches(@"^\d+\.\d+\.\d+", package.Version);
        Assert.False(string.IsNullOrWhiteSpace(package.Metadata("authors")));
        Assert.False(string.IsNullOrWhiteSpace(package.Metadata("description")));
        Assert.Contains("shared-memory", package.Metadata("tags") ?? "");
        Assert.Equal("MIT", package.Metadata("license"));
        Assert.Equal("README.md", package.Metadata("readme"));
    }

    [Fact]
    public void Pack_Contents_AreAssemblyXmlDocsAndReadmeWithSymbolsBeside()
    {
        var files = _packaged.Package.Files;

        Assert.Contains("lib/net10.0/Ring.dll", files);
        Assert.Contains("lib/net10.0/Ring.xml", files);
        Assert.Contains("README.md", files);
        Assert.True(File.Exists(Path.ChangeExtension(_packaged.Package.Path, ".snupkg")), "no .snupkg beside the .nupkg");
    }

    [Fact]
    public void FreshApp_Restore_TakesOnlyThePackageFromTheFolderFeed()
    {
        var app = _packaged.App;

        Assert.Equal(new[] { $"{_packaged.Package.Id}/{_packaged.Package.Version}" }, app.RestoredLibraries);
        Assert.Equal(new[] { _packaged.Workspace.Feed }, app.RestoreSources.Select(s => s.TrimEnd('/')));
        Assert.DoesNotContain("http", app.RestoreOutput, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void FreshApp_AsGuest_ReceivesTheRealProducersPacketsInOrder()
    {
        var producer = _runner.Start("Producer", "--region", _runner.Region, "--packets", "1000", "--wait", "30", "--json");
        using var guest = PackageWorkspace.Start(_packaged.App, "guest", _runner.Region, "1000");
        try
        {
            var results = _runner.WaitAll(RunDeadline, producer, guest);

            string all = ProgramRunner.Describe(results);
            Assert.True(results[1].ExitCode == 0, all);
            Assert.Contains("guest received 1000 packets in order; peer total 1000; drops 0", results[1].Stdout);
            Assert.True(results[0].ExitCode == 0, all);
            Assert.Equal(1000UL, results[0].Summary().Sent);
        }
        finally
        {
            guest.Kill();
        }
    }

    [Fact]
    public void FreshApp_AsDevice_TheRealConsumerReceivesEveryPacket()
    {
        var consumer = _runner.Start("Consumer", "--region", _runner.Region, "--json");
        using var device = PackageWorkspace.Start(_packaged.App, "device", _runner.Region, "1000");
        try
        {
            var results = _runner.WaitAll(RunDeadline, consumer, device);

            string all = ProgramRunner.Describe(results);
            Assert.True(results[1].ExitCode == 0, all);
            Assert.Contains("device sent 1000 packets", results[1].Stdout);
            Assert.True(results[0].ExitCode == 0, all);
            var summary = results[0].Summary();
            Assert.Equal(1000UL, summary.Received);
            Assert.Equal(0UL, summary.Bad);
            Assert.Equal(0UL, summary.Missing);
        }
        finally
        {
            device.Kill();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _runner.Dispose();

    /// <summary>Packs the library once for this class and builds the fresh app against the package.</summary>
    public sealed class PackagedApp : IDisposable
    {
        public PackagedApp()
        {
            try
            {
                Package = Workspace.Pack();
                App = Workspace.CreateApp("packaged", Program);
            }
            catch
            {
                Workspace.Dispose(); // xUnit disposes only a fixture it could construct
                throw;
            }
        }

        /// <summary>The temporary folder: feed, packages, app.</summary>
        internal PackageWorkspace Workspace { get; } = new();

        /// <summary>The package.</summary>
        internal PackageWorkspace.PackageFile Package { get; }

        /// <summary>The app built against it.</summary>
        internal PackageWorkspace.App App { get; }

        /// <inheritdoc />
        public void Dispose() => Workspace.Dispose();
    }
}
