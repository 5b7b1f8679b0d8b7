using CsCheck;
using Ring.Harness.Traffic;

namespace Ring.Tests;

/// <summary>
/// The sequence checker counts every packet once (in order, bad or duplicate), never re-bases on a number outside
/// its window or one the next packet does not confirm, and its missing count is exactly the numbers below the highest
/// confirmed one that no packet carried. Examples first, then CsCheck properties over streams of in-order runs, gaps,
/// duplicates, reorderings, corrupted numbers and short packets.
/// </summary>
public sealed class SequenceCheckerTests
{
    [Fact]
    public void Check_InOrderStream_AllInOrder()
    {
        var checker = Run(Enumerable.Range(0, 1000).Select(i => (ulong)i));

        Assert.Equal((1000UL, 1000UL, 0UL, 0UL, 0UL, 1000UL), Counts(checker));
    }

    [Fact]
    public void Check_OneRandomNumberMidStream_OneBadItsOwnNumberMissingAndNoRebase()
    {
        // Packet 500 carries random bytes, as when garbage was written into a live region.
        var stream = Enumerable.Range(0, 1000).Select(i => i == 500 ? 14267403619741953904UL : (ulong)i);

        var checker = Run(stream);

        Assert.Equal((1000UL, 999UL, 1UL, 0UL, 1UL, 1000UL), Counts(checker));
    }

    [Fact]
    public void Check_NumberWithOneBitFlippedWithinTheWindow_OneBadAndTheRealOneLaterStillInOrder()
    {
        // 100 arrives as 100 + 1024: a plausible number, but the next packet (101) does not confirm it.
        var stream = Enumerable.Range(0, 2000).Select(i => i == 100 ? 100UL + 1024 : (ulong)i);

        var checker = Run(stream);

        Assert.Equal((2000UL, 1999UL, 1UL, 0UL, 1UL, 2000UL), Counts(checker));
    }

    [Fact]
    public void Check_GapConfirmedByTheNextPacket_CountsTheGapMissing()
    {
        var checker = Run([0, 1, 5, 6, 7]);

        Assert.Equal((5UL, 5UL, 0UL, 0UL, 3UL, 8UL), Counts(checker));
    }

    [Fact]
    public void Check_JumpTheStreamEndsOn_StaysBadAndMovesNothing()
    {
        var checker = Run([0, 1, 5]);

        Assert.Equal((3UL, 2UL, 1UL, 0UL, 0UL, 2UL), Counts(checker));
    }

    [Fact]
    public void Check_JumpOutsideTheWindowConfirmedByAFollowingRun_IsNeverBelieved()
    {
        var checker = new SequenceChecker(window: 64);
        foreach (ulong n in (ulong[])[0, 1, 1000, 1001, 1002, 1003])
            checker.Check(n);

        Assert.Equal((6UL, 2UL, 4UL, 0UL, 0UL, 2UL), Counts(checker));
    }

    [Fact]
    public void Check_RepeatedNumber_CountsADuplicate()
    {
        var checker = Run([0, 1, 2, 1, 3]);

        Assert.Equal((5UL, 4UL, 0UL, 1UL, 0UL, 4UL), Counts(checker));
    }

    [Fact]
    public void Check_LatePacketInAConfirmedGap_IsBadAndNoLongerMissing()
    {
        var checker = Run([0, 1, 5, 6, 3]);

        Assert.Equal((5UL, 4UL, 1UL, 0UL, 2UL, 7UL), Counts(checker));
    }

    [Fact]
    public void Check_PacketTooShortForANumber_IsBad()
    {
        var checker = new SequenceChecker();
        checker.Check(BitConverter.GetBytes(0UL));
        checker.Check(new byte[7]);
        checker.Check(BitConverter.GetBytes(1UL));

        Assert.Equal((3UL, 2UL, 1UL, 0UL, 0UL, 2UL), Counts(checker));
    }

    [Fact]
    public void Check_StreamStartingAtFirst_NumberBeforeItIsBadNotDuplicate()
    {
        var checker = new SequenceChecker(first: 100);
        foreach (ulong n in (ulong[])[100, 101, 50, 102])
            checker.Check(n);

        Assert.Equal((4UL, 3UL, 1UL, 0UL, 0UL, 103UL), Counts(checker));
    }

    [Fact]
    public void Check_ThousandRandomNumbersInAMillion_EachOneBadOneMissing()
    {
        // The run, scaled down: random 64-bit values replace 1000 packets, none among the last two (a number
        // the stream ends on has no next packet to confirm what follows it).
        var random = new Random(9);
        var corrupted = new HashSet<int>();
        while (corrupted.Count < 1000)
            corrupted.Add(random.Next(0, 999_998));
        var checker = new SequenceChecker();
        Span<byte> payload = stackalloc byte[8];
        for (int i = 0; i < 1_000_000; i++)
        {
            ulong n = corrupted.Contains(i) ? (ulong)random.NextInt64(long.MinValue, long.MaxValue) | (1UL << 40) : (ulong)i;
            BitConverter.TryWriteBytes(payload, n);
            checker.Check(payload);
        }

        Assert.Equal((1_000_000UL, 999_000UL, 1000UL, 0UL, 1000UL, 1_000_000UL), Counts(checker));
    }

    [Fact]
    public void Window_NotAPowerOfTwo_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceChecker(window: 100));

    /// <summary>What a generated stream does at one true number: most arrive once in order; the rest are lost
    /// (a gap), sent twice, swapped with the next, held back a few places, corrupted to a number far away or nearby,
    /// or cut short.</summary>
    private enum Fate { InOrder, Lost, Twice, Swapped, HeldBack, CorruptFar, CorruptNear, Short }

    private static readonly Gen<Fate> Fates = Gen.Frequency(
        (40, Gen.Const(Fate.InOrder)), (6, Gen.Const(Fate.Lost)), (2, Gen.Const(Fate.Twice)), (2, Gen.Const(Fate.Swapped)),
        (2, Gen.Const(Fate.HeldBack)), (2, Gen.Const(Fate.CorruptFar)), (2, Gen.Const(Fate.CorruptNear)), (1, Gen.Const(Fate.Short)));

    /// <summary>A stream of up to 3000 true numbers, each with its fate and a random value for it.</summary>
    private static readonly Gen<(Fate Fate, ulong Value)[]> Streams = Gen.Select(Fates, Gen.ULong).Array[0, 3000];

    [Fact]
    public void Check_AnyStreamWithinTheWindow_CountsAddUpAndMissingIsExactlyTheNumbersNeverSeen()
    {
        Streams.Sample(plan =>
        {
            var packets = Build(plan);
            var checker = new SequenceChecker();
            foreach (var packet in packets)
                checker.Check(packet);

            var carried = packets.Where(p => p.Length >= 8).Select(p => BitConverter.ToUInt64(p)).ToHashSet();
            ulong neverSeen = 0;
            for (ulong n = 0; n < checker.Expected; n++)
                neverSeen += carried.Contains(n) ? 0UL : 1UL;
            ulong received = (ulong)packets.Count;
            return checker.Received == received
                && checker.InOrder + checker.Bad + checker.Duplicates == received
                && checker.Missing == neverSeen
                && checker.InOrder <= received && checker.Bad <= received && checker.Duplicates <= received
                && (checker.Expected == 0 || carried.Contains(checker.Expected - 1)); // the highest confirmed number was seen
        });
    }

    [Fact]
    public void Check_AnyNumbersAtAllInASmallWindow_NoCountWrapsOrExceedsWhatWasReceived()
    {
        var near = Gen.Int[0, 300].Select(i => (ulong)i);
        var numbers = Gen.Frequency((3, near), (1, Gen.ULong)).Array[0, 2000];
        numbers.Sample(stream =>
        {
            var checker = new SequenceChecker(window: 64);
            foreach (ulong n in stream)
                checker.Check(n);

            ulong received = (ulong)stream.Length;
            return checker.InOrder + checker.Bad + checker.Duplicates == received
                && checker.InOrder <= received && checker.Bad <= received && checker.Duplicates <= received
                && checker.Missing <= checker.Expected // at most the span of numbers up to the highest confirmed
                && (checker.Expected == 0 || stream.Contains(checker.Expected - 1));
        });
    }

    [Fact]
    public void Check_StreamWithCorruptedNumbersOnly_EachCorruptionOneBadAndItsNumberMissing()
    {
        // Far corruptions, no two in a row and none among the last two packets: nothing else goes wrong, so each is
        // exactly one bad packet and one missing number, whatever the stream around it.
        Gen.Select(Gen.Int[10, 3000], Gen.Int[0, 100].Array[0, 30], Gen.ULong).Sample((length, picks, garbage) =>
        {
            var corrupted = picks.Select(p => p * 29 % (length - 2)).Where(p => p % 2 == 0).ToHashSet();
            var checker = new SequenceChecker();
            for (int i = 0; i < length; i++)
                checker.Check(corrupted.Contains(i) ? garbage | (1UL << 50) : (ulong)i);

            ulong k = (ulong)corrupted.Count;
            return checker.Bad == k && checker.Missing == k && checker.Duplicates == 0 && checker.Expected == (ulong)length;
        });
    }

    /// <summary>The packets (payloads) a plan makes, numbers 0, 1, 2, ... each with its fate.</summary>
    private static List<byte[]> Build((Fate Fate, ulong Value)[] plan)
    {
        var numbers = new List<(ulong Number, bool Short)>();
        for (int i = 0; i < plan.Length; i++)
        {
            ulong n = (ulong)i;
            ulong value = plan[i].Value;
            switch (plan[i].Fate)
            {
                case Fate.InOrder:
                    numbers.Add((n, false));
                    break;
                case Fate.Lost:
                    break;
                case Fate.Twice:
                    numbers.Add((n, false));
                    numbers.Add((n, false));
                    break;
                case Fate.Swapped when numbers.Count > 0:
                    numbers.Insert(numbers.Count - 1, (n, false));
                    break;
                case Fate.HeldBack:
                    numbers.Insert(Math.Max(0, numbers.Count - 1 - (int)(value % 8)), (n, false));
                    break;
                case Fate.CorruptFar:
                    numbers.Add((value | (1UL << 40), false)); // never within the window of a stream this short
                    break;
                case Fate.CorruptNear:
                    numbers.Add((value % 3100, false)); // inside the window, anywhere in or just past the stream
                    break;
                case Fate.Short:
                    numbers.Add((n, true));
                    break;
                default:
                    numbers.Add((n, false));
                    break;
            }
        }
        return numbers.Select(p => p.Short ? BitConverter.GetBytes(p.Number)[..(int)(p.Number % 8)] : BitConverter.GetBytes(p.Number)).ToList();
    }

    private static SequenceChecker Run(IEnumerable<ulong> numbers)
    {
        var checker = new SequenceChecker();
        foreach (ulong n in numbers)
            checker.Check(n);
        return checker;
    }

    /// <summary>(received, in order, bad, duplicates, missing, expected).</summary>
    private static (ulong, ulong, ulong, ulong, ulong, ulong) Counts(SequenceChecker c) =>
        (c.Received, c.InOrder, c.Bad, c.Duplicates, c.Missing, c.Expected);
}
