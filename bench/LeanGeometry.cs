namespace Bench;

/// <summary>
/// One build of the reference lean.c: its pool's geometry (buffers and the stride between them), passed to gcc as
/// <c>-DNB</c> and <c>-DBS</c>. The geometry alone moves lean.c by up to 0.6x (see ../shared/reference/README.md),
/// so a layout is compared with lean.c built in the same geometry as well as with its default build.
/// </summary>
/// <param name="Name">The program's name in the build folder and its figure's stem in a report.</param>
/// <param name="Defines">The gcc defines; none for lean.c's own geometry (4096 buffers 10240 bytes apart).</param>
/// <param name="Meaning">What the geometry is, for a reader.</param>
internal sealed record LeanGeometry(string Name, string[] Defines, string Meaning)
{
    /// <summary>lean.c as it is: 4096 buffers 10 KiB apart. The target.</summary>
    public static readonly LeanGeometry Default = new("lean", [], "lean.c's own geometry, 4096 buffers 10240 B apart");

    /// <summary>1024 buffers of 2 KiB laid end to end, a power-of-two stride: Ring's v1 pool.</summary>
    public static readonly LeanGeometry Nb1024Bs2048 = new("lean_nb1024_bs2048", ["-DNB=1024u", "-DBS=2048u"],
        "1024 buffers 2048 B apart (a power-of-two stride, Ring's v1 pool)");

    /// <summary>1024 buffers 2112 bytes apart (2 KiB and one cache line, an odd stride): Ring's first v2 pool.</summary>
    public static readonly LeanGeometry Nb1024Bs2112 = new("lean_nb1024_bs2112", ["-DNB=1024u", "-DBS=2112u"],
        "1024 buffers 2112 B apart (2 KiB and a cache line, an odd stride: Ring's first v2 pool)");

    /// <summary>4096 buffers of 2 KiB packed: Ring's pool per direction (4 buffers per ring entry), and cring's default.</summary>
    public static readonly LeanGeometry Nb4096Bs2048 = new("lean_nb4096_bs2048", ["-DNB=4096u", "-DBS=2048u"],
        "4096 buffers 2048 B apart (packed, 4 per ring entry: Ring's pool per direction and cring's default)");

    /// <summary>Every build refs runs, the default first.</summary>
    public static readonly IReadOnlyList<LeanGeometry> All = [Default, Nb1024Bs2048, Nb1024Bs2112, Nb4096Bs2048];
}
