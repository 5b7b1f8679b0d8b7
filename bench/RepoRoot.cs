namespace Bench;

/// <summary>The repository's root (the folder holding Ring.sln) and the shared folder beside it.</summary>
internal static class RepoRoot
{
    /// <summary>The root, found by walking up from this program's folder, then from the current one; null when neither is inside the repository.</summary>
    public static string? Find() => WalkUp(AppContext.BaseDirectory) ?? WalkUp(Directory.GetCurrentDirectory());

    /// <summary>The reference programs' folder, <c>&lt;root&gt;/../shared/reference</c>; null when there is no root.</summary>
    public static string? ReferenceFolder() =>
        Find() is { } root ? Path.GetFullPath(Path.Combine(root, "..", "shared", "reference")) : null;

    private static string? WalkUp(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ring.sln")))
                return dir.FullName;
        }
        return null;
    }
}
