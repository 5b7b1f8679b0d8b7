using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Ring.Harness.Traffic;

/// <summary>
/// Checks the sequence numbers a receiver sees: each packet's first 8 bytes (little-endian) should be the next
/// number. Every packet received is counted exactly once, as in order, bad or a duplicate
/// (<c>Received = InOrder + Bad + Duplicates</c>), and <see cref="Missing"/> is the numbers below
/// <see cref="Expected"/> that no packet carried. No count can wrap, and no single packet moves the checker far.
/// </summary>
/// <remarks>
/// <para>Design: a number ahead of <see cref="Expected"/> is believed only when it lies within <see cref="Window"/> of
/// the expected one and a later packet confirms it by landing just past it (at most <see cref="ConfirmReach"/>).
/// Until then it is a candidate, counted as bad; confirmed, it becomes in order and the numbers skipped become
/// missing. A packet carrying the expected number drops the candidate (it stays bad); noise (a number far ahead, one
/// behind, a packet too short for a number) leaves it alone. So one corrupted number (random bytes, a flipped bit) is
/// one bad packet and moves nothing: the packet after it is the expected one, or confirms nothing. A number behind
/// <see cref="Expected"/> is late (it fills a missing number: bad, as the transport promises order, and no longer
/// missing) or a duplicate (already seen); one older than the window cannot be told apart and is bad. A candidate the
/// stream ends on was never confirmed and stays bad.</para>
/// <para>Bookkeeping: one bit per number in [Expected - Window, Expected + Window), in a ring of 2 x Window bits
/// indexed by the number. Behind <see cref="Expected"/> a set bit means "missing, not seen since"; at or ahead of it,
/// "a packet carried this number already" (a candidate, confirmed or not). A number skipped by a confirmed jump is
/// missing unless its bit says a packet carried it. Set bits are counted, so the in-order path touches the ring only
/// while some bit is set, which after a gap or a candidate lasts at most a window's worth of packets.</para>
/// </remarks>
public sealed class SequenceChecker
{
    /// <summary>The window when none is given: twice the largest ring (32768 entries). An honest stream never skips
    /// ahead; a gap from dropped entries is at most what was in flight, a ring's worth.</summary>
    public const int DefaultWindow = 1 << 16;

    /// <summary>How far past a candidate the packet that confirms it may land: the next number, or a few more when
    /// packets right after the jump were lost too. Random bytes land far away; two corrupted numbers in a row land
    /// this close in increasing order only by a systematic fault, which no checker tells from a real jump.</summary>
    public const int ConfirmReach = 16;

    private readonly ulong[] _bits;
    private readonly ulong _window;
    private readonly ulong _mask; // 2 x window - 1: the ring's index mask
    private readonly ulong _first;
    private ulong _expected;
    private ulong _candidate;
    private bool _hasCandidate;
    private long _setBits;

    /// <summary>A checker for a stream that starts at <paramref name="first"/>, believing jumps ahead of at most
    /// <paramref name="window"/> numbers (a power of two, at least 64).</summary>
    public SequenceChecker(ulong first = 0, int window = DefaultWindow)
    {
        if (window < 64 || !BitOperations.IsPow2(window))
            throw new ArgumentOutOfRangeException(nameof(window), window, "the window must be a power of two, at least 64");
        _window = (ulong)window;
        _mask = 2 * _window - 1;
        _bits = new ulong[2 * window / 64];
        _first = first;
        _expected = first;
    }

    /// <summary>The next number expected: one past the highest confirmed number.</summary>
    public ulong Expected => _expected;

    /// <summary>How far ahead of <see cref="Expected"/> a number may jump and still be believed.</summary>
    public int Window => (int)_window;

    /// <summary>Packets checked.</summary>
    public ulong Received { get; private set; }

    /// <summary>Packets whose number was the next one expected, or a jump ahead that the next packet confirmed.</summary>
    public ulong InOrder => Received - Bad - Duplicates;

    /// <summary>Packets whose number could not be believed: too short to carry one, a jump ahead outside the window
    /// or not confirmed (a corrupted number, as a rule), late (behind one received before it), or too old to tell.</summary>
    public ulong Bad { get; private set; }

    /// <summary>Packets whose number had been received already.</summary>
    public ulong Duplicates { get; private set; }

    /// <summary>Numbers below <see cref="Expected"/> no packet carried (a number the window has moved past stays
    /// missing even if it comes later, then as bad).</summary>
    public ulong Missing { get; private set; }

    /// <summary>Checks one payload.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Check(ReadOnlySpan<byte> payload)
    {
        Received++;
        if (payload.Length >= sizeof(ulong) && BinaryPrimitives.ReadUInt64LittleEndian(payload) == _expected && _setBits == 0)
            _expected++;
        else
            CheckSlow(payload);
    }

    /// <summary>Checks one sequence number (the first 8 bytes of a payload).</summary>
    public void Check(ulong sequence)
    {
        Span<byte> payload = stackalloc byte[sizeof(ulong)];
        BinaryPrimitives.WriteUInt64LittleEndian(payload, sequence);
        Check(payload);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CheckSlow(ReadOnlySpan<byte> payload)
    {
        if (payload.Length < sizeof(ulong))
        {
            Bad++;
            return;
        }
        ulong sequence = BinaryPrimitives.ReadUInt64LittleEndian(payload);
        if (sequence == _expected)
        {
            _hasCandidate = false; // the stream went on where it was: the candidate was wrong, and stays bad
            Advance();
        }
        else if (sequence > _expected && sequence - _expected < _window)
        {
            Ahead(sequence);
        }
        else if (sequence > _expected)
        {
            Bad++; // far ahead: noise, which leaves a candidate alone
        }
        else
        {
            Behind(sequence);
        }
    }

    /// <summary>A number ahead of the expected one, within the window: it confirms the candidate when it lands just past
    /// it; otherwise it replaces the candidate (which stays bad) as the jump a later packet must confirm.</summary>
    private void Ahead(ulong sequence)
    {
        if (_hasCandidate && sequence > _candidate && sequence - _candidate <= ConfirmReach)
        {
            Confirm(_candidate);
            if (sequence == _expected)
            {
                Advance();
                return;
            }
        }
        Bad++; // a candidate is bad until a later packet confirms it
        Set(sequence);
        _candidate = sequence;
        _hasCandidate = true;
    }

    private void Behind(ulong sequence)
    {
        if (sequence < _first || _expected - sequence > _window)
        {
            Bad++;
            return;
        }
        if (!Clear(sequence))
        {
            Duplicates++;
            return;
        }
        Missing--; // it was counted missing when a confirmed jump skipped it: it came late
        Bad++;
    }

    /// <summary>A later packet confirmed <paramref name="candidate"/>: the numbers between the expected one and it are
    /// missing unless a packet carried them, and it is in order.</summary>
    private void Confirm(ulong candidate)
    {
        _hasCandidate = false;
        Bad--; // the candidate, counted bad when it came, is in order
        ulong gap = candidate - _expected;
        ClearRange(_expected + _window, gap); // the numbers leaving the window behind
        FlipRange(_expected, gap);            // seen ahead -> not missing; not seen -> missing
        _expected = candidate;
        Advance();
    }

    /// <summary>Moves <see cref="Expected"/> past a number that arrived now in order.</summary>
    private void Advance()
    {
        if (_setBits != 0)
        {
            Clear(_expected + _window); // the number leaving the window behind: a missing one stays missing
            Clear(_expected);           // seen ahead before: it has arrived, nothing to remember
        }
        _expected++;
    }

    private void Set(ulong number)
    {
        ref ulong word = ref _bits[(number & _mask) >> 6];
        ulong bit = 1UL << (int)(number & 63);
        if ((word & bit) == 0)
        {
            word |= bit;
            _setBits++;
        }
    }

    /// <summary>Clears <paramref name="number"/>'s bit; whether it was set.</summary>
    private bool Clear(ulong number)
    {
        ref ulong word = ref _bits[(number & _mask) >> 6];
        ulong bit = 1UL << (int)(number & 63);
        if ((word & bit) == 0)
            return false;
        word &= ~bit;
        _setBits--;
        return true;
    }

    private void ClearRange(ulong from, ulong count)
    {
        while (count != 0)
        {
            var (index, mask, n) = Chunk(from, count);
            _setBits -= BitOperations.PopCount(_bits[index] & mask);
            _bits[index] &= ~mask;
            from += n;
            count -= n;
        }
    }

    /// <summary>Turns the "seen ahead" bits of [from, from + count) into "missing" bits, counting the missing.</summary>
    private void FlipRange(ulong from, ulong count)
    {
        while (count != 0)
        {
            var (index, mask, n) = Chunk(from, count);
            int seen = BitOperations.PopCount(_bits[index] & mask);
            int missing = (int)n - seen;
            _bits[index] ^= mask;
            _setBits += missing - seen;
            Missing += (ulong)missing;
            from += n;
            count -= n;
        }
    }

    /// <summary>The word of the ring that holds <paramref name="from"/>, the mask of the bits of [from, from + count)
    /// in it, and how many numbers that is. The ring is a whole number of words, so a chunk never wraps.</summary>
    private (long Index, ulong Mask, ulong Count) Chunk(ulong from, ulong count)
    {
        int bit = (int)(from & 63);
        ulong n = Math.Min(count, (ulong)(64 - bit));
        ulong mask = (n == 64 ? ulong.MaxValue : (1UL << (int)n) - 1) << bit;
        return ((long)((from & _mask) >> 6), mask, n);
    }
}
