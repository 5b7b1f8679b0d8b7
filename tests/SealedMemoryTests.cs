using Ring.Control;
using Ring.Native;

namespace Ring.Tests;

/// <summary>
/// The sealed region: neither side can change its size once it exists, a receiver refuses a region that is not
/// sealed or shorter than claimed, and a read-only descriptor cannot be mapped for writing.
/// </summary>
public sealed unsafe class SealedMemoryTests
{
    private const long Length = 64 * 1024;

    [Fact]
    public void Create_Region_CarriesShrinkGrowAndSealSeals()
    {
        using var memory = SealedMemory.Create("ring-test", Length);

        Assert.Equal(0, Files.GetSeals(memory.Descriptor, out int seals));
        Assert.Equal(Memfd.RegionSeals, seals & Memfd.RegionSeals);
        Assert.Equal(0, Files.Stat(memory.Descriptor, out var status));
        Assert.Equal(Length, status.Size);
    }

    [Theory]
    [InlineData(Length / 2)]
    [InlineData(Length * 2)]
    public void SetLength_SealedRegion_RefusedWithEperm(long length)
    {
        using var memory = SealedMemory.Create("ring-test", Length);

        Assert.Equal(Errno.EPERM, Memfd.SetLength(memory.Descriptor, length));
    }

    [Fact]
    public void AddSeals_SealedRegion_RefusedSoNobodyCanForbidWritesLater()
    {
        using var memory = SealedMemory.Create("ring-test", Length);

        Assert.Equal(Errno.EPERM, Files.AddSeals(memory.Descriptor, Memfd.SealFutureWrite));
    }

    [Fact]
    public void Attach_DescriptorOfTheRegion_SeesTheSameBytes()
    {
        using var memory = SealedMemory.Create("ring-test", Length);
        *(long*)(memory.Address + Length - 8) = 0x1122334455667788;

        using var device = SealedMemory.Attach(Duplicate(memory), Length, RegionAccess.ReadWrite);
        using var observer = SealedMemory.Attach(memory.OpenReadOnly(), Length, RegionAccess.ReadOnly);

        Assert.Equal(0x1122334455667788, *(long*)(device.Address + Length - 8));
        *(long*)device.Address = 99;
        Assert.Equal(99, *(long*)observer.Address);
    }

    [Fact]
    public void Attach_UnsealedMemfd_RefusedAsUnsealed()
    {
        Assert.Equal(0, Memfd.Create("unsealed", out var fd));
        Assert.Equal(0, Memfd.SetLength(fd!, Length));

        var error = Assert.Throws<ControlException>(() => SealedMemory.Attach(fd!, Length, RegionAccess.ReadWrite));

        Assert.Equal(ControlReason.RegionUnsealed, error.Code);
        Assert.True(fd!.IsClosed, "the refused descriptor is closed");
    }

    [Fact]
    public void Attach_OrdinaryFile_RefusedAsUnsealed()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(path, new byte[Length]);
            Assert.Equal(0, Files.Open(path, Files.O_RDWR | Files.O_CLOEXEC, 0, out var fd));

            var error = Assert.Throws<ControlException>(() => SealedMemory.Attach(fd!, Length, RegionAccess.ReadWrite));

            Assert.Equal(ControlReason.RegionUnsealed, error.Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Attach_LengthBeyondTheFile_RefusedAsTooSmall()
    {
        using var memory = SealedMemory.Create("ring-test", Length);

        var error = Assert.Throws<ControlException>(() => SealedMemory.Attach(Duplicate(memory), Length + 1, RegionAccess.ReadWrite));

        Assert.Equal(ControlReason.RegionTooSmall, error.Code);
        Assert.Equal($"region refused: the file has {Length} bytes, REGION says {Length + 1}", error.Message);
    }

    [Fact]
    public void Attach_ReadOnlyDescriptorAsReadWrite_RefusedAsBadRegion()
    {
        using var memory = SealedMemory.Create("ring-test", Length);

        var error = Assert.Throws<ControlException>(() => SealedMemory.Attach(memory.OpenReadOnly(), Length, RegionAccess.ReadWrite));

        Assert.Equal(ControlReason.BadRegion, error.Code);
    }

    [Fact]
    public void Map_ReadOnlyDescriptorForWriting_KernelRefusesWithEacces()
    {
        using var memory = SealedMemory.Create("ring-test", Length);
        using var readOnly = memory.OpenReadOnly();

        Assert.Equal(Errno.EACCES, Mapping.Map(readOnly, Length, writable: true, out var mapping));
        Assert.Null(mapping);
    }

    [Fact]
    public void Dispose_Twice_ClosesOnce()
    {
        var memory = SealedMemory.Create("ring-test", Length);

        memory.Dispose();
        memory.Dispose();

        Assert.True(memory.Descriptor.IsClosed);
    }

    /// <summary>A second descriptor for the same open file, as SCM_RIGHTS would deliver.</summary>
    private static FileDescriptor Duplicate(SealedMemory memory)
    {
        Assert.Equal(0, Files.Open($"/proc/self/fd/{memory.Descriptor.Number}", Files.O_RDWR | Files.O_CLOEXEC, 0, out var fd));
        return fd!;
    }
}
