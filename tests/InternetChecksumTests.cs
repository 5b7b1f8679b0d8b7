using CsCheck;
using Ring.Harness.Net;

namespace Ring.Tests;

/// <summary>
/// The Internet checksum on published vectors (RFC 1071's worked sum, a textbook IPv4 header), on edge lengths and
/// carries, and against a word-by-word reference written straight from RFC 1071 for random data of every length and
/// alignment, so the vector path, the scalar tail and the odd byte all meet the same answer.
/// </summary>
public sealed class InternetChecksumTests
{
    [Fact]
    public void Sum_Rfc1071Example_IsDdf2()
    {
        // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2 (with the carries folded in).
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];

        Assert.Equal(0xddf2, InternetChecksum.Sum(data));
        Assert.Equal(0x220d, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Compute_KnownIpv4Header_IsB861()
    {
        // 192.168.0.1 -> 192.168.0.199, UDP, total length 115, DF: the header checksum is b861.
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");

        Assert.Equal(0xb861, InternetChecksum.Compute(header));
        header[10] = 0xb8;
        header[11] = 0x61;
        Assert.True(InternetChecksum.IsValid(header));
        header[19] ^= 0x01;
        Assert.False(InternetChecksum.IsValid(header));
    }

    [Fact]
    public void Sum_OddLength_PadsLastByteAsHighByte()
    {
        Assert.Equal(0x0100, InternetChecksum.Sum([0x01]));
        Assert.Equal(0x0102 + 0x0300, InternetChecksum.Sum([0x01, 0x02, 0x03]));
    }

    [Fact]
    public void Compute_Empty_IsAllOnes() => Assert.Equal(0xFFFF, InternetChecksum.Compute([]));

    [Fact]
    public void Compute_JumboOfAllOnes_FoldsEveryCarry()
    {
        // 4500 words of ffff: every add carries; the sum stays ffff (negative zero) and the checksum is 0.
        byte[] data = Enumerable.Repeat((byte)0xFF, 9000).ToArray();

        Assert.Equal(0xFFFF, InternetChecksum.Sum(data));
        Assert.Equal(0x0000, InternetChecksum.Compute(data));
    }

    [Fact]
    public void Sum_RandomDataAnyLengthAndAlignment_MatchesRfc1071Reference()
    {
        Gen.Select(Gen.Byte.Array[0, 10_000], Gen.Int[0, 31]).Sample((data, skip) =>
        {
            var span = data.AsSpan(Math.Min(skip, data.Length));
            return InternetChecksum.Sum(span) == ReferenceSum(span);
        }, iter: 2_000);
    }

    [Fact]
    public void IsValid_ChecksumWrittenIntoData_HoldsAndFailsOnAnyBitFlip()
    {
        Gen.Select(Gen.Byte.Array[4, 2_000], Gen.Int[0, int.MaxValue]).Sample((data, flip) =>
        {
            data[0] = data[1] = 0;
            ushort checksum = InternetChecksum.Compute(data);
            data[0] = (byte)(checksum >> 8);
            data[1] = (byte)checksum;
            if (!InternetChecksum.IsValid(data))
                return false;
            int bit = flip % (data.Length * 8);
            data[bit / 8] ^= (byte)(1 << (bit % 8));
            return !InternetChecksum.IsValid(data);
        }, iter: 2_000);
    }

    /// <summary>RFC 1071 as written: add big-endian 16-bit words, fold the carry back after every add.</summary>
    private static ushort ReferenceSum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            sum += (uint)(data[i] << 8) | (i + 1 < data.Length ? data[i + 1] : 0u);
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (ushort)sum;
    }
}
