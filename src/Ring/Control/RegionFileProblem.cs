namespace Ring.Control;

/// <summary>Why a file-backed region path was refused before it was mapped.</summary>
internal enum RegionFileProblem
{
    /// <summary>Nothing wrong.</summary>
    None,

    /// <summary>No such file.</summary>
    Missing,

    /// <summary>The path is a symbolic link (not followed: it could point anywhere).</summary>
    SymbolicLink,

    /// <summary>A directory, FIFO, socket or device, not a regular file.</summary>
    NotRegularFile,

    /// <summary>Owned by another user.</summary>
    OwnedByOtherUser,

    /// <summary>Shorter than its header claims: mapping it would SIGBUS past the end.</summary>
    TooShort,

    /// <summary>Permission denied.</summary>
    AccessDenied,

    /// <summary>Another failure (the description names the errno).</summary>
    SystemError,
}
