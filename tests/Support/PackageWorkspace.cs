using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

namespace Ring.Tests.Support;

/// <summary>
/// A temporary folder in which the library is packed (<c>dotnet pack src/Ring -c Release</c>) into a folder feed and
/// fresh console projects reference only that package, as a user's application would. Each project gets a
/// <c>nuget.config</c> that clears every source but the folder feed and a packages folder of its own, so restore
/// works offline and never takes a stale copy of the same version from the machine's cache. Every <c>dotnet</c>
/// command runs with a deadline and without build servers (nothing is left running). Disposing deletes the folder.
/// </summary>
internal sealed class PackageWorkspace : IDisposable
{
    /// <summary>How long one <c>dotnet</c> command (pack, restore, build) may take on a busy two-core box.</summary>
    public static readonly TimeSpan DotnetDeadline = TimeSpan.FromMinutes(5);

    /// <summary>The folder holding everything: feed, packages, projects.</summary>
    public string Root { get; } = Directory.CreateTempSubdirectory("ring-package-").FullName;

    /// <summary>The folder feed the package is packed into.</summary>
    public string Feed => Path.Combine(Root, "feed");

    /// <summary>The packages folder restore extracts into (instead of the machine's ~/.nuget/packages).</summary>
    public string Packages => Path.Combine(Root, "packages");

    /// <summary>The repository: the folder holding Ring.sln, above the test binaries.</summary>
    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Ring.sln")))
                    return dir.FullName;
            }
            Assert.Fail($"no Ring.sln above {AppContext.BaseDirectory}");
            return "";
        }
    }

    /// <summary>The package, once <see cref="Pack"/> has run.</summary>
    public PackageFile Package { get; private set; } = null!;

    /// <summary>
    /// Packs src/Ring in Release into <see cref="Feed"/> (building it if it is not up to date; restore was done by
    /// the test project's build) and reads the package's id and version from its .nuspec.
    /// </summary>
    public PackageFile Pack()
    {
        Dotnet(RepoRoot, "pack", Path.Combine("src", "Ring"), "-c", "Release", "-o", Feed, "--no-restore");
        var packages = Directory.GetFiles(Feed, "*.nupkg");
        Assert.True(packages.Length == 1, $"expected one .nupkg in {Feed}, found: {string.Join(", ", packages)}");
        Package = PackageFile.Read(packages[0]);
        return Package;
    }

    /// <summary>
    /// Creates console project <paramref name="name"/> whose only reference is the package, with
    /// <paramref name="program"/> as its Program.cs, restores it from the folder feed alone and builds it (Release,
    /// warnings as errors). Returns the built project.
    /// </summary>
    public App CreateApp(string name, string program)
    {
        string dir = Path.Combine(Root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Packages}" />
              </config>
              <packageSources>
                <clear />
                <add key="ring-folder-feed" value="{Feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
              </fallbackPackageFolders>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="{Package.Id}" Version="[{Package.Version}]" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
        var restore = Dotnet(dir, "restore", "-v", "normal");
        Dotnet(dir, "build", "-c", "Release", "--no-restore");
        string host = Path.Combine(dir, "bin", "Release", "net10.0", name);
        Assert.True(File.Exists(host), $"the build made no {host}");
        return new App(name, dir, host, restore.Stdout);
    }

    /// <summary>Starts a built app with <paramref name="arguments"/>; the caller waits for it and disposes it.</summary>
    public static ProgramRunner.Child Start(App app, params string[] arguments)
    {
        var info = NewStartInfo(app.Host, app.Directory, arguments);
        return new ProgramRunner.Child(app.Name, arguments, Process.Start(info)!);
    }

    /// <summary>Runs <c>dotnet</c> in <paramref name="directory"/>; fails the test when it does not exit 0 within
    /// <see cref="DotnetDeadline"/>, with everything it printed.</summary>
    public ProgramRunner.Result Dotnet(string directory, params string[] arguments)
    {
        string[] all = [.. arguments, "--disable-build-servers"];
        var info = NewStartInfo("dotnet", directory, all);
        // What `dotnet test` set for its own MSBuild must not steer the nested one.
        foreach (string key in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(key);
        info.Environment["NUGET_PACKAGES"] = Packages; // overrides a machine-wide setting, as the config does
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        using var child = new ProgramRunner.Child("dotnet", all, Process.Start(info)!);
        bool exited = child.WaitForExit(DotnetDeadline);
        if (!exited)
            child.Kill();
        var result = child.Collect();
        Assert.True(exited && result.ExitCode == 0,
            $"{(exited ? "failed" : $"did not finish within {DotnetDeadline.TotalMinutes:0} min and was killed")} in {directory}\n{result}");
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone.
        }
    }

    private static ProcessStartInfo NewStartInfo(string file, string directory, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        return info;
    }

    /// <summary>A built console project: its name, folder, apphost, and what its restore printed.</summary>
    public sealed record App(string Name, string Directory, string Host, string RestoreOutput)
    {
        /// <summary>The packages restore resolved ("id/version"), from obj/project.assets.json.</summary>
        public IReadOnlyList<string> RestoredLibraries => Assets().RootElement.GetProperty("libraries")
            .EnumerateObject().Select(p => p.Name).ToList();

        /// <summary>The package sources restore was allowed to use, from obj/project.assets.json.</summary>
        public IReadOnlyList<string> RestoreSources => Assets().RootElement.GetProperty("project").GetProperty("restore")
            .GetProperty("sources").EnumerateObject().Select(p => p.Name).ToList();

        private JsonDocument Assets() =>
            JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, "obj", "project.assets.json")));
    }

    /// <summary>A .nupkg: its path, its .nuspec and its file list.</summary>
    public sealed record PackageFile(string Path, XDocument Nuspec, IReadOnlyList<string> Files)
    {
        /// <summary>The package id.</summary>
        public string Id => Metadata("id") ?? "";

        /// <summary>The package version.</summary>
        public string Version => Metadata("version") ?? "";

        /// <summary>A metadata element's text, or null.</summary>
        public string? Metadata(string name) =>
            Nuspec.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == "metadata")?
                .Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

        /// <summary>Reads a package.</summary>
        public static PackageFile Read(string path)
        {
            using var zip = ZipFile.OpenRead(path);
            var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
            using var stream = nuspec.Open();
            return new PackageFile(path, XDocument.Load(stream), zip.Entries.Select(e => e.FullName).ToList());
        }
    }
}
