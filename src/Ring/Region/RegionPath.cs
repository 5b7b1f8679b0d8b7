namespace Ring.Region;

/// <summary>Turns the <c>--region</c> argument into a file path: a bare name means <c>/dev/shm/ring-&lt;name&gt;</c>.</summary>
public static class RegionPath
{
    /// <summary>Directory of shared-memory files on Linux.</summary>
    public const string SharedMemoryDirectory = "/dev/shm";

    /// <summary>The file for <paramref name="nameOrPath"/>; throws <see cref="ArgumentException"/> for an unusable name.</summary>
    public static string Resolve(string nameOrPath)
    {
        if (string.IsNullOrWhiteSpace(nameOrPath))
            throw new ArgumentException("region name is empty");
        if (nameOrPath.Contains('/'))
            return Path.GetFullPath(nameOrPath);
        foreach (char c in nameOrPath)
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
                throw new ArgumentException($"region name '{nameOrPath}' may hold only letters, digits, '-', '_' and '.'");
        return Path.Combine(SharedMemoryDirectory, "ring-" + nameOrPath);
    }
}
