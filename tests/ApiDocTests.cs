using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// Keeps docs/API.md true: its programs, the fenced <c>csharp</c> blocks each preceded by a
/// <c>&lt;!-- snippet: NAME --&gt;</c> line, are taken from the page exactly as written, built as fresh console
/// projects against the packed library (as <see cref="PackageTests"/> does), and run as two processes on one region;
/// they must exchange what the page says they do. The package README's quick-start programs must build too.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class ApiDocTests : IClassFixture<ApiDocTests.SnippetApps>, IDisposable
{
    /// <summary>The snippets the page must have, by name.</summary>
    private static readonly string[] SnippetNames = ["guest", "device", "guest-poll"];

    private static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    private readonly SnippetApps _apps;
    private readonly ProgramRunner _runner = new();

    public ApiDocTests(SnippetApps apps) => _apps = apps;

    [Fact]
    public void GuestAndDeviceSnippets_TwoProcessesOnOneRegion_ExchangeTenThousandPackets()
    {
        var (guest, device) = RunPair(_apps.Apps["guest"], _apps.Apps["device"]);

        Assert.Equal("received 10000 packets in order, 0 dropped", guest.Stdout.Trim());
        Assert.Equal("sent 10000 packets", device.Stdout.Trim());
    }

    [Fact]
    public void PollLoopGuestAndDeviceSnippets_TwoProcessesOnOneRegion_ExchangeTenThousandPackets()
    {
        var (guest, device) = RunPair(_apps.Apps["guest-poll"], _apps.Apps["device"]);

        Assert.Equal("received 10000 packets in order", guest.Stdout.Trim());
        Assert.Equal("sent 10000 packets", device.Stdout.Trim());
    }

    [Fact]
    public void PackageReadmeSnippets_AgainstThePackage_Build()
    {
        var blocks = CodeBlocks(File.ReadAllLines(Path.Combine(PackageWorkspace.RepoRoot, "src", "Ring", "README.md")))
            .Select(b => b.Code).ToList();

        Assert.Equal(2, blocks.Count); // the guest and the device of the quick start
        for (int i = 0; i < blocks.Count; i++)
            _apps.Workspace.CreateApp($"readme{i}", blocks[i]);
    }

    [Fact]
    public void Page_MarksEachSnippetOnce()
    {
        var marked = Snippets().Select(s => s.Name).ToList();

        Assert.Equal(SnippetNames.Order(), marked.Order());
    }

    /// <inheritdoc />
    public void Dispose() => _runner.Dispose();

    /// <summary>Runs the guest snippet, then the device snippet, on this test's region; both must exit 0.</summary>
    private (ProgramRunner.Result Guest, ProgramRunner.Result Device) RunPair(PackageWorkspace.App guestApp, PackageWorkspace.App deviceApp)
    {
        using var guest = PackageWorkspace.Start(guestApp, _runner.Region);
        using var device = PackageWorkspace.Start(deviceApp, _runner.Region);
        try
        {
            var results = _runner.WaitAll(RunDeadline, guest, device);
            string all = ProgramRunner.Describe(results);
            Assert.True(results[0].ExitCode == 0 && results[1].ExitCode == 0, all);
            return (results[0], results[1]);
        }
        finally
        {
            guest.Kill();
            device.Kill();
        }
    }

    /// <summary>docs/API.md's marked snippets, in page order.</summary>
    private static List<(string Name, string Code)> Snippets()
    {
        var lines = File.ReadAllLines(Path.Combine(PackageWorkspace.RepoRoot, "docs", "API.md"));
        var snippets = new List<(string Name, string Code)>();
        foreach (var (start, code) in CodeBlocks(lines))
        {
            // The marker is the last non-blank line above the fence.
            int above = start - 1;
            while (above >= 0 && lines[above].Trim().Length == 0)
                above--;
            string marker = above >= 0 ? lines[above].Trim() : "";
            const string Prefix = "<!-- snippet:", Suffix = "-->";
            if (marker.StartsWith(Prefix, StringComparison.Ordinal) && marker.EndsWith(Suffix, StringComparison.Ordinal))
                snippets.Add((marker[Prefix.Length..^Suffix.Length].Trim(), code));
        }
        return snippets;
    }

    /// <summary>Every fenced <c>csharp</c> block: the line of its opening fence and its text.</summary>
    private static IEnumerable<(int Start, string Code)> CodeBlocks(string[] lines)
    {
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp")
                continue;
            int end = i + 1;
            while (end < lines.Length && lines[end].Trim() != "```")
                end++;
            Assert.True(end < lines.Length, $"the csharp block at line {i + 1} is not closed");
            yield return (i, string.Join('\n', lines[(i + 1)..end]) + "\n");
            i = end;
        }
    }

    /// <summary>Packs the library once for this class and builds each snippet of docs/API.md against the package.</summary>
    public sealed class SnippetApps : IDisposable
    {
        public SnippetApps()
        {
            try
            {
                Workspace.Pack();
                var snippets = Snippets();
                foreach (string name in SnippetNames)
                {
                    var matches = snippets.Where(s => s.Name == name).ToList();
                    Assert.True(matches.Count == 1, $"docs/API.md has {matches.Count} snippets marked '{name}', not one");
                    Apps[name] = Workspace.CreateApp(name, matches[0].Code);
                }
            }
            catch
            {
                Workspace.Dispose(); // xUnit disposes only a fixture it could construct
                throw;
            }
        }

        /// <summary>The temporary folder: feed, packages, apps.</summary>
        internal PackageWorkspace Workspace { get; } = new();

        /// <summary>The built snippets, by name.</summary>
        internal Dictionary<string, PackageWorkspace.App> Apps { get; } = [];

        /// <inheritdoc />
        public void Dispose() => Workspace.Dispose();
    }
}
