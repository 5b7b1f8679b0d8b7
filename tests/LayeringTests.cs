using System.Text.RegularExpressions;

namespace Ring.Tests;

/// <summary>
/// The library's folders import downward, never in a loop: each folder's <c>using Ring.X;</c> names only folders
/// below it in <see cref="Order"/>. (The public types in the root namespace, Ring, are the API every folder may
/// use; they live in Primitives, the bottom, and in the top folders Endpoints and Diagnostics.)
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>The folders from the bottom up.</summary>
    private static readonly string[] Order =
        ["Primitives", "Layout", "Native", "Control", "Memory", "Rings", "Doorbells", "Waiting", "Async", "Queues", "Region", "Diagnostics", "Endpoints"];

    [Fact]
    public void Folders_ImportOnlyFoldersBelowThem()
    {
        string library = Path.Combine(RepoRoot(), "src", "Ring");
        var folders = Directory.GetDirectories(library).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToList();
        Assert.Equal(Order.Order(), folders.Order()!);
        var upward = new List<string>();
        foreach (string folder in Order)
        {
            foreach (string file in Directory.GetFiles(Path.Combine(library, folder), "*.cs"))
            {
                foreach (Match m in UsingRing().Matches(File.ReadAllText(file)))
                {
                    string imported = m.Groups[1].Value;
                    if (imported != folder && Array.IndexOf(Order, imported) >= Array.IndexOf(Order, folder))
                        upward.Add($"{folder}/{Path.GetFileName(file)} imports Ring.{imported}");
                }
            }
        }
        Assert.True(upward.Count == 0, "imports that go up or sideways:\n" + string.Join("\n", upward));
    }

    [GeneratedRegex(@"^using Ring\.([A-Za-z]+);", RegexOptions.Multiline)]
    private static partial Regex UsingRing();

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ring.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Ring.sln above {AppContext.BaseDirectory}");
    }
}
