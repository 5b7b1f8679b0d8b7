using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ring.Harness.Traffic;

/// <summary>
/// The bytes a <c>--verify full</c> sender writes after a packet's sequence number and timestamp, and the check of
/// them. Byte offsets count from the start of the frame (across chained buffers), and the frame is little-endian
/// 64-bit words: word j (bytes 8j..8j+7) is <c>seed + j x Step</c>, the seed a mix of the sequence number and the
/// timestamp (<see cref="Seed"/>). So a flipped byte anywhere changes a word, a buffer of another packet has another
/// seed, a piece moved within the frame sits at the wrong word, and a changed sequence number or timestamp
/// changes every word; the pattern starts at <see cref="Start"/>, so bytes 0..15 are checked through the seed.
/// </summary>
/// <remarks>The words are consecutive terms of an arithmetic sequence, so both loops run in 32-byte vectors, one add
/// per vector to step the expected words; the check ORs the differences and tests once at the end. The whole words
/// after the last full vector take one more vector that overlaps the one before, and the bytes after the last whole
/// word one 8-byte access that ends the span: a 64-byte packet is two vectors, a 1500-byte one 47 and a word.</remarks>
public static class PayloadPattern
{
    /// <summary>Where the pattern starts in a frame: after the sequence number and the timestamp.</summary>
    public const int Start = 16;

    /// <summary>The difference between consecutive words: odd (2^64 / golden ratio), so every word of a frame differs.</summary>
    private const ulong Step = 0x9E3779B97F4A7C15;

    /// <summary>The words a vector holds: lanes 0..3 are <see cref="Step"/> x 0..3 apart, and the next vector is
    /// <see cref="Step"/> x 4 further on (modulo 2^64, as every word).</summary>
    private static readonly Vector256<ulong> LaneSteps = Vector256.Create(0, Step, unchecked(2 * Step), unchecked(3 * Step));

    /// <summary>From one vector of words to the next.</summary>
    private static readonly Vector256<ulong> VectorStep = Vector256.Create(unchecked(4 * Step));

    /// <summary>The seed of the frame that carries <paramref name="sequence"/> and <paramref name="stamp"/>: one
    /// splitmix64 finaliser over an injective combination of both, so a change to either changes it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Seed(ulong sequence, long stamp)
    {
        ulong z = sequence + (ulong)stamp * Step;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>Writes the pattern of frame <paramref name="seed"/> into <paramref name="span"/>, which holds the frame's
    /// bytes from <paramref name="frameOffset"/> on.</summary>
    public static void Fill(Span<byte> span, int frameOffset, ulong seed)
    {
        int i = 0, n = span.Length;
        for (; i < n && ((frameOffset + i) & 7) != 0; i++)
            span[i] = ByteAt(seed, frameOffset + i);
        ref byte target = ref MemoryMarshal.GetReference(span);
        int wholeWordsEnd = i + ((n - i) & ~7);
        if (wholeWordsEnd - i >= Vector256<byte>.Count && BitConverter.IsLittleEndian)
        {
            var words = WordsAt(seed, frameOffset + i);
            for (; i <= wholeWordsEnd - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                words.AsByte().StoreUnsafe(ref target, (nuint)i);
                words += VectorStep;
            }
            // The whole words left (fewer than four): one vector that ends with them, overlapping what is written.
            int last = wholeWordsEnd - Vector256<byte>.Count;
            if (i != wholeWordsEnd)
                WordsAt(seed, frameOffset + last).AsByte().StoreUnsafe(ref target, (nuint)last);
            i = wholeWordsEnd;
        }
        for (; i < wholeWordsEnd; i += sizeof(ulong))
            BinaryPrimitives.WriteUInt64LittleEndian(span[i..], WordAt(seed, frameOffset + i));
        if (i == n)
            return;
        if (n >= sizeof(ulong)) // the last bytes: the 8 bytes that end the span, over two words
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span[(n - sizeof(ulong))..], EightAt(seed, frameOffset + n - sizeof(ulong)));
            return;
        }
        for (; i < n; i++)
            span[i] = ByteAt(seed, frameOffset + i);
    }

    /// <summary>Whether <paramref name="span"/>, the frame's bytes from <paramref name="frameOffset"/> on, holds the
    /// pattern of frame <paramref name="seed"/> in every byte.</summary>
    public static bool Matches(ReadOnlySpan<byte> span, int frameOffset, ulong seed)
    {
        int i = 0, n = span.Length;
        for (; i < n && ((frameOffset + i) & 7) != 0; i++)
        {
            if (span[i] != ByteAt(seed, frameOffset + i))
                return false;
        }
        ref byte source = ref MemoryMarshal.GetReference(span);
        int wholeWordsEnd = i + ((n - i) & ~7);
        if (wholeWordsEnd - i >= Vector256<byte>.Count && BitConverter.IsLittleEndian)
        {
            var words = WordsAt(seed, frameOffset + i);
            var differences = Vector256<ulong>.Zero;
            for (; i <= wholeWordsEnd - Vector256<byte>.Count; i += Vector256<byte>.Count)
            {
                differences |= Vector256.LoadUnsafe(ref source, (nuint)i).AsUInt64() ^ words;
                words += VectorStep;
            }
            // The whole words left (fewer than four): one vector that ends with them, overlapping what is checked.
            int last = wholeWordsEnd - Vector256<byte>.Count;
            if (i != wholeWordsEnd)
                differences |= Vector256.LoadUnsafe(ref source, (nuint)last).AsUInt64() ^ WordsAt(seed, frameOffset + last);
            if (differences != Vector256<ulong>.Zero)
                return false;
            i = wholeWordsEnd;
        }
        for (; i < wholeWordsEnd; i += sizeof(ulong))
        {
            if (BinaryPrimitives.ReadUInt64LittleEndian(span[i..]) != WordAt(seed, frameOffset + i))
                return false;
        }
        if (i == n)
            return true;
        if (n >= sizeof(ulong)) // the last bytes: the 8 bytes that end the span, over two words
            return BinaryPrimitives.ReadUInt64LittleEndian(span[(n - sizeof(ulong))..]) == EightAt(seed, frameOffset + n - sizeof(ulong));
        for (; i < n; i++)
        {
            if (span[i] != ByteAt(seed, frameOffset + i))
                return false;
        }
        return true;
    }

    /// <summary>The word that starts at <paramref name="frameOffset"/> (a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong WordAt(ulong seed, int frameOffset) => seed + (ulong)(frameOffset >> 3) * Step;

    /// <summary>The four words from <paramref name="frameOffset"/> on (a multiple of 8).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> WordsAt(ulong seed, int frameOffset) => Vector256.Create(WordAt(seed, frameOffset)) + LaneSteps;

    /// <summary>The 8 pattern bytes from <paramref name="frameOffset"/> on, at any offset: the end of one word and
    /// the start of the next, as a little-endian load of them would read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong EightAt(ulong seed, int frameOffset)
    {
        int shift = 8 * (frameOffset & 7);
        ulong first = WordAt(seed, frameOffset & ~7);
        return shift == 0 ? first : (first >> shift) | ((first + Step) << (64 - shift));
    }

    /// <summary>The pattern's byte at <paramref name="frameOffset"/> of frame <paramref name="seed"/>.</summary>
    public static byte ByteAt(ulong seed, int frameOffset) => (byte)(WordAt(seed, frameOffset & ~7) >> (8 * (frameOffset & 7)));
}
