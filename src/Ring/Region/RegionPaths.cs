namespace Ring.Region;

/// <summary>Where a region name lives: a bare name means <c>/dev/shm/ring-&lt;name&gt;</c>.</summary>
internal static class RegionPaths
{
    /// <summary>Directory of shared-memory files on Linux.</summary>
    public const string SharedMemoryDirectory = "/dev/shm";

    /// <summary>The file for region <paramref name="name"/>; throws <see cref="ArgumentException"/> for an unusable name.</summary>
    public static string ForName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (char c in name)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new ArgumentException($"region name '{name}' may hold only letters, digits, '-', '_' and '.' (give a path to the path overload)", nameof(name));
        return Path.Combine(SharedMemoryDirectory, "ring-" + name);
    }

    /// <summary>An explicit path, made absolute; throws <see cref="ArgumentException"/> for an empty one.</summary>
    public static string ForPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return Path.GetFullPath(path);
    }
}
