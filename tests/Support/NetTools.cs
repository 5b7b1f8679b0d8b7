using Ring.Harness.Net;

namespace Ring.Tests.Support;

/// <summary>
/// What the network tests need from the host: the tools (ip, ping, tshark, text2pcap, editcap), installed once by
/// tests/install-net-tools.sh when missing (as .ci/run does), and whether this process may create network namespaces,
/// probed once. A missing tool fails the test; no namespaces (not root, say) skips it with the reason.
/// </summary>
internal static class NetTools
{
    public static readonly TimeSpan ToolDeadline = TimeSpan.FromSeconds(60);

    private static readonly Lazy<CommandResult> Install = new(() =>
        HostCommand.Run("/bin/bash", [Path.Combine(RepoRoot(), "tests", "install-net-tools.sh")], TimeSpan.FromMinutes(10)));

    private static readonly Lazy<string?> NoNamespaces = new(() =>
    {
        if (!Environment.IsPrivilegedProcess)
            return "network namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN)";
        Require("ip");
        Require("ping");
        return NetworkNamespace.Unavailable();
    });

    /// <summary>The full path of <paramref name="tool"/>, installing the tools once when it is missing; fails the test
    /// when it is still missing.</summary>
    public static string Require(string tool)
    {
        string? path = Find(tool);
        if (path is null && Install.Value.ExitCode == 0)
            path = Find(tool);
        Assert.True(path is not null,
            $"{tool} is not installed and tests/install-net-tools.sh could not install it: {Install.Value.FirstErrorLine}");
        return path!;
    }

    /// <summary>Skips the test, with the reason, unless this process may create network namespaces (then ip and ping
    /// are installed too).</summary>
    public static void SkipUnlessNamespaces() => Skip.If(NoNamespaces.Value is not null, $"skipped: {NoNamespaces.Value}");

    /// <summary>Runs <paramref name="tool"/> to its end within <see cref="ToolDeadline"/>; fails the test with what it
    /// printed when it exits non-zero.</summary>
    public static CommandResult Run(string tool, params string[] args)
    {
        var result = HostCommand.Run(Require(tool), args, ToolDeadline);
        Assert.True(result.ExitCode == 0, $"{result.CommandLine}: exit {result.ExitCode}\n{result.Stdout}\n{result.Stderr}");
        return result;
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append("/usr/sbin").Append("/sbin")
            .Select(dir => Path.Combine(dir, tool))
            .FirstOrDefault(File.Exists);

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ring.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"no Ring.sln above {AppContext.BaseDirectory}");
    }
}
