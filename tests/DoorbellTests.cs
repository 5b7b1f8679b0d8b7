using System.Diagnostics;
using CsCheck;
using Ring.Doorbells;
using Ring.Layout;
using Ring.Memory;
using Ring.Tests.Support;
using Ring.Waiting;

namespace Ring.Tests;

/// <summary>
/// The doorbell protocol of docs/DOORBELL.md, piece by piece on a real region's control block: the waker
/// (<see cref="Doorbell"/>) rings only a peer that announced a sleep (W3) and whose mode can sleep, rings each
/// announced sleep once, and coalescing holds a doorbell back but never drops it; the sleeper
/// (<see cref="DoorbellSleeper"/>) re-checks after announcing (S4), a ring that lands after S1 ends its wait at once
/// (S5), and every sleep ends by its timeout at the latest; the idle strategies sleep when and only when their mode
/// says; the counters in the region count all of it. Then <see cref="QueuePair.Idle(int)"/> on a real pair sleeps
/// when idle and wakes on the peer's publish. Waits that could hang run on a thread of their own with a deadline far
/// below their timeout: a deadline check, not a timing assertion.
/// </summary>
public sealed unsafe class DoorbellTests : IDisposable
{
    private const int Burst = 32;

    /// <summary>A sleep's timeout when only a ring should end it.</summary>
    private static readonly TimeSpan LongSleep = TimeSpan.FromSeconds(20);

    private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, 256, 256);

    private readonly HostilePeer _region = HostilePeer.CreateAsGuest(Deadline.UniqueRegionName(), Geometry);
    private readonly List<Task> _sleepers = [];

    public void Dispose()
    {
        // A sleeper that missed its deadline still waits out its own timeout; unmapping the region under it would
        // crash the test host, so let it finish first.
        foreach (var sleeper in _sleepers)
            ((IAsyncResult)sleeper).AsyncWaitHandle.WaitOne(LongSleep + Deadline.Default);
        _region.Dispose();
    }

    private HostilePeer.QueueRings Queue => _region.Queue(0);

    /// <summary>The guest's doorbell word, which the device increments.</summary>
    private uint Word => Volatile.Read(ref Queue.Word(QueueControlLayout.GuestDoorbellOffset));

    /// <summary>The guest's announcement, which the device reads.</summary>
    private uint NeedsWakeup
    {
        get => Volatile.Read(ref Queue.Word(QueueControlLayout.GuestNeedsWakeupOffset));
        set => Volatile.Write(ref Queue.Word(QueueControlLayout.GuestNeedsWakeupOffset), value);
    }

    /// <summary>Doorbells the device rang, as its sender's counter block in the region says.</summary>
    private long Rings => (long)Queue.Counter(CountersLayout.DeviceSenderOffset, HalfCountersLayout.DoorbellsOffset);

    /// <summary>The guest's sleeper counters, as its block in the region says.</summary>
    private (long Sleeps, long Wakeups, long Timeouts) Slept => (
        (long)Queue.Counter(CountersLayout.GuestSleeperOffset, SleeperCountersLayout.SleepsOffset),
        (long)Queue.Counter(CountersLayout.GuestSleeperOffset, SleeperCountersLayout.WakeupsOffset),
        (long)Queue.Counter(CountersLayout.GuestSleeperOffset, SleeperCountersLayout.TimeoutsOffset));

    private long SpuriousWakeups => (long)Queue.Counter(CountersLayout.GuestSleeperOffset, SleeperCountersLayout.SpuriousWakeupsOffset);

    [Fact]
    public void Doorbell_PeerNotSleeping_IsNotRung()
    {
        var (_, doorbell) = Start(guestMaySleep: true);

        for (int i = 0; i < 100; i++)
            doorbell.Published(Burst);
        doorbell.Flush();

        Assert.Equal(0, Rings);
        Assert.Equal(0u, Word);
    }

    [Fact]
    public void Doorbell_PeerAnnouncedSleep_IsRungOnceAndTheWordChanges()
    {
        var (_, doorbell) = Start(guestMaySleep: true);
        NeedsWakeup = DoorbellSleeper.AnnouncementTag(Word);

        doorbell.Published(Burst);

        Assert.Equal(1, Rings);
        Assert.Equal(1u, Word);
    }

    [Fact]
    public void Doorbell_SameAnnouncementTag_RingsEachSleepOnce()
    {
        var (_, doorbell) = Start(guestMaySleep: true);
        NeedsWakeup = DoorbellSleeper.AnnouncementTag(Word);

        doorbell.Published(Burst); // the RX completions
        doorbell.Published(Burst); // the TX completions of the same round: the same sleep, already rung
        doorbell.Flush();

        Assert.Equal(1, Rings);
        Assert.Equal(1u, Word);

        NeedsWakeup = DoorbellSleeper.AnnouncementTag(Word); // the next sleep read the changed word: a new tag
        doorbell.Published(Burst);

        Assert.Equal(2, Rings);
        Assert.Equal(2u, Word);
    }

    [Fact]
    public void Doorbell_PeerModeNeverSleeps_StaysSilentEvenIfAnnounced()
    {
        var (_, doorbell) = Start(guestMaySleep: false);
        NeedsWakeup = 1; // a stray announcement from a guest that only polls

        doorbell.Published(Burst);
        doorbell.Flush();
        doorbell.FlushIfDue();

        Assert.Equal(0, Rings);
        Assert.Equal(0u, Word);
        Assert.False(doorbell.Owed, "a doorbell that never rings owes one");
    }

    [Fact]
    public void Coalesce_FrameLimit_RingsOnceOnTheBurstThatReachesIt()
    {
        var (_, doorbell) = Start(guestMaySleep: true);
        doorbell.Coalesce(frames: 2 * Burst, TimeSpan.Zero);
        NeedsWakeup = DoorbellSleeper.AnnouncementTag(Word);

        doorbell.Published(Burst);
        Assert.Equal(0, Rings);
        Assert.True(doorbell.Owed, "the first burst's doorbell is not owed");

        doorbell.Published(Burst);
        Assert.Equal(1, Rings);
        Assert.False(doorbell.Owed, "a doorbell is still owed after the ring");
        Assert.Equal(1u, Word);
    }

    [Fact]
    public void Coalesce_TimeLimit_RingsOnlyWhenFlushIfDueFindsTheTimeUp()
    {
        var (_, doorbell) = Start(guestMaySleep: true);
        doorbell.Coalesce(frames: 0, TimeSpan.FromMilliseconds(2));
        NeedsWakeup = DoorbellSleeper.AnnouncementTag(Word);

        doorbell.FlushIfDue(); // nothing published: nothing owed
        Assert.False(doorbell.Owed, "a doorbell is owed before anything was published");
        doorbell.Published(Burst); // the hold starts with this publish
        Assert.True(doorbell.Owed, "the burst's doorbell is not owed");

        Deadline.Until(() =>
        {
            doorbell.FlushIfDue();
            return Rings == 1;
        }, "the coalesced doorbell's ring");

        Assert.False(doorbell.Owed, "a doorbell is still owed after the ring");
        Assert.Equal(1u, Word);
    }

    [Fact]
    public void Flush_DoorbellHeldByCoalescing_RingsAtOnce()
    {
        var (_, doorbell) = Start(guestMaySleep: true);
        doorbell.Coalesce(frames: 2 * Burst, TimeSpan.FromSeconds(1));
        NeedsWakeup = DoorbellSleeper.AnnouncementTag(Word);
        doorbell.Published(Burst);
        Assert.Equal(0, Rings);

        doorbell.Flush();

        Assert.Equal(1, Rings);
        Assert.False(doorbell.Owed, "a doorbell is still owed after the flush");
    }

    [Fact]
    public void Coalesce_DueWhilePeerAwake_ClearsTheDebtWithoutARing()
    {
        var (_, doorbell) = Start(guestMaySleep: true);
        doorbell.Coalesce(frames: Burst, TimeSpan.Zero);

        doorbell.Published(Burst);

        Assert.False(doorbell.Owed, "a doorbell is owed to a peer that is awake");
        Assert.Equal(0, Rings);
    }

    [Fact]
    public void Sleep_RecheckFindsWork_ReturnsFalseAtOnceAndClearsTheAnnouncement()
    {
        var (sleeper, _) = Start(guestMaySleep: true);
        uint announcedDuringRecheck = 0;

        bool slept = sleeper.Sleep(() =>
        {
            announcedDuringRecheck = NeedsWakeup;
            return true;
        }, LongSleep);

        Assert.False(slept);
        Assert.Equal(DoorbellSleeper.AnnouncementTag(0), announcedDuringRecheck); // S2 before S4
        Assert.Equal(0u, NeedsWakeup);
        Assert.Equal((0L, 0L, 0L), Slept);
    }

    [Fact]
    public void Sleep_NothingArrives_EndsByTimeoutAndCountsItInTheRegion()
    {
        var (sleeper, _) = Start(guestMaySleep: true);

        bool slept = sleeper.Sleep(() => false, TimeSpan.FromMilliseconds(5));

        Assert.True(slept);
        Assert.Equal((1L, 0L, 1L), Slept);
        Assert.Equal((1L, 0L, 1L), (sleeper.Sleeps, sleeper.Wakeups, sleeper.Timeouts));
        Assert.Equal(0u, NeedsWakeup);
    }

    [Fact]
    public void Sleep_RungFromAnotherThread_WakesLongBeforeTheTimeout()
    {
        var (sleeper, doorbell) = Start(guestMaySleep: true);
        // The re-check finds nothing, so only the ring can end the sleep before its 20 s timeout.
        var sleeping = StartSleeper(() => sleeper.Sleep(() => false, LongSleep));
        Deadline.Until(() => NeedsWakeup != 0, "the guest's announcement", sleeping);

        doorbell.Published(Burst);

        Assert.True(Deadline.Join(sleeping, "a sleeper rung by the device"));
        Assert.Equal((1L, 1L, 0L), Slept);
        Assert.Equal(1, Rings);
        Assert.Equal(0u, NeedsWakeup);
    }

    [Fact]
    public void Sleep_RingLandsBetweenAnnouncementAndWait_ReturnsAtOnceAndCountsAWakeup()
    {
        var (sleeper, doorbell) = Start(guestMaySleep: true);

        // The re-check (S4) runs after S1 read the word and before S5 waits on it: a ring there (W4) is not lost.
        var sleeping = StartSleeper(() => sleeper.Sleep(() =>
        {
            doorbell.Published(Burst);
            return false;
        }, LongSleep));

        Assert.False(Deadline.Join(sleeping, "a sleeper whose doorbell rang before its wait"));
        Assert.Equal((0L, 1L, 0L), Slept);
        Assert.Equal(1, Rings);
    }

    [Fact]
    public void Sleep_ModeNeverSleeps_ThrowsAndAnnouncesNothing()
    {
        var (sleeper, _) = Start(guestMaySleep: false);

        Assert.Throws<InvalidOperationException>(() => sleeper.Sleep(() => false, LongSleep));
        Assert.Equal(0u, NeedsWakeup);
        Assert.False(sleeper.CanSleep);
    }

    [Fact]
    public void WakeSelf_AnotherThreadOfTheSameSide_EndsTheSleep()
    {
        var (sleeper, _) = Start(guestMaySleep: true);
        var sleeping = StartSleeper(() => sleeper.Sleep(() => false, LongSleep));
        Deadline.Until(() => NeedsWakeup != 0, "the guest's announcement", sleeping);

        sleeper.WakeSelf();

        Deadline.Join(sleeping, "a sleeper woken by its own side");
        Assert.Equal(0, Rings); // not the peer's doorbell
        Assert.Equal(0L, Slept.Timeouts);
    }

    [Fact]
    public void AnnouncementTag_AnyDoorbellValue_IsOddAndDiffersForTheNextValue()
    {
        Gen.UInt.Sample(seen =>
        {
            uint tag = DoorbellSleeper.AnnouncementTag(seen);
            Assert.Equal(1u, tag & 1); // never 0: 0 means "not sleeping"
            Assert.NotEqual(tag, DoorbellSleeper.AnnouncementTag(unchecked(seen + 1))); // a ring changes the word, so the tag
        });
    }

    [Fact]
    public void BusySpinWait_ManyIdlePolls_NeverSleeps()
    {
        var wait = new BusySpinWait();

        for (int i = 0; i < 10_000; i++)
            Assert.False(wait.Idle(0, TimeSpan.MaxValue));
    }

    [Fact]
    public void DoorbellWait_WokenThenNothingFound_CountsASpuriousWakeup()
    {
        var (sleeper, doorbell) = Start(guestMaySleep: true);
        int rechecks = 0;
        var wait = new DoorbellWait(sleeper, () => Interlocked.Increment(ref rechecks) > 1);
        var idling = StartSleeper(() =>
        {
            wait.Idle(0, LongSleep); // sleeps until the ring
            return wait.Idle(0, LongSleep); // the poll after the wake-up found nothing
        });
        Deadline.Until(() => NeedsWakeup != 0, "the guest's announcement", idling);

        doorbell.Published(Burst);

        Assert.False(Deadline.Join(idling, "an idle strategy rung by the device"));
        Assert.Equal(1L, Slept.Wakeups);
        Assert.Equal(1, SpuriousWakeups);
    }

    [Fact]
    public void DoorbellWait_WokenThenWorkFound_CountsNoSpuriousWakeup()
    {
        var (sleeper, doorbell) = Start(guestMaySleep: true);
        int rechecks = 0;
        var wait = new DoorbellWait(sleeper, () => Interlocked.Increment(ref rechecks) > 1);
        var idling = StartSleeper(() =>
        {
            wait.Idle(0, LongSleep);
            wait.Idle(Burst, LongSleep); // the poll after the wake-up found work
            return wait.Idle(0, LongSleep);
        });
        Deadline.Until(() => NeedsWakeup != 0, "the guest's announcement", idling);

        doorbell.Published(Burst);

        Deadline.Join(idling, "an idle strategy rung by the device");
        Assert.Equal(1L, Slept.Wakeups);
        Assert.Equal(0, SpuriousWakeups);
    }

    [Fact]
    public void DoorbellWait_MaxSleepBelowMinSleep_SpinsWithoutAnnouncing()
    {
        var (sleeper, _) = Start(guestMaySleep: true);
        int rechecks = 0;
        var wait = new DoorbellWait(sleeper, () => ++rechecks > 0);

        Assert.False(wait.Idle(0, DoorbellWait.MinSleep / 2));

        Assert.Equal(0, rechecks);
        Assert.Equal((0L, 0L, 0L), Slept);
    }

    [Fact]
    public void HybridWait_IdleWithinThePollBudget_NeverAnnouncesASleep()
    {
        var (sleeper, _) = Start(guestMaySleep: true);
        int rechecks = 0;
        var wait = new HybridWait(sleeper, () => ++rechecks > 0, pollBudget: TimeSpan.FromSeconds(30));

        for (int i = 0; i < 10_000; i++)
            Assert.False(wait.Idle(0, TimeSpan.MaxValue));

        Assert.Equal(0, rechecks);
        Assert.Equal((0L, 0L, 0L), Slept);
    }

    [Fact]
    public void HybridWait_PollBudgetSpent_SleepsOnTheDoorbell()
    {
        var (sleeper, _) = Start(guestMaySleep: true);
        var wait = new HybridWait(sleeper, () => false, pollBudget: TimeSpan.Zero);

        Assert.True(wait.Idle(0, TimeSpan.FromMilliseconds(5)));

        Assert.Equal((1L, 0L, 1L), Slept);
    }

    [Fact]
    public void HybridWait_WorkWithinTheBudget_StartsTheBudgetAgain()
    {
        var (sleeper, _) = Start(guestMaySleep: true);
        // Each idle spell takes 60 % of the budget: a preemption of the test thread up to 40 % of it (0.4 s on a
        // loaded box) cannot spend the budget early.
        var wait = new HybridWait(sleeper, () => false, pollBudget: TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();

        while (clock.ElapsedMilliseconds < 600)
            Assert.False(wait.Idle(0, TimeSpan.FromMilliseconds(5)));
        wait.Idle(1, TimeSpan.FromMilliseconds(5)); // work: the next idle spell gets a whole budget
        clock.Restart();
        while (clock.ElapsedMilliseconds < 600)
            Assert.False(wait.Idle(0, TimeSpan.FromMilliseconds(5)));

        Assert.Equal(0L, Slept.Sleeps);
    }

    [Theory]
    [InlineData(WaitMode.Poll, typeof(BusySpinWait))]
    [InlineData(WaitMode.Event, typeof(DoorbellWait))]
    [InlineData(WaitMode.Hybrid, typeof(HybridWait))]
    public void IdleStrategies_EachMode_GetsItsStrategy(WaitMode mode, Type strategy)
    {
        var (sleeper, _) = Start(guestMaySleep: true);

        Assert.IsType(strategy, IdleStrategies.Create(mode, sleeper, () => false, TimeSpan.Zero));
    }

    // ---- QueuePair.Idle on a real pair ----

    [Theory]
    [InlineData(WaitMode.Event)]
    [InlineData(WaitMode.Hybrid)]
    public void Idle_GuestWithNothingToReceive_SleepsAndWakesOnTheDevicesPublish(WaitMode mode)
    {
        using var pair = RegionPair.Start(new GuestOptions { RingSize = 64, BufferSize = 64, WaitMode = mode });
        using var observer = HostilePeer.Open(pair.Guest, RegionGeometry.ForQueues(1, 64, 64, GuestOptions.DefaultBuffersPerRing(64)));
        var guest = pair.GuestQueue();
        var receiving = StartSleeper(() => ReceiveOne(guest));
        Deadline.Until(() => guest.SleepCounters.Sleeps > 0 && Volatile.Read(ref observer.Queue().Word(QueueControlLayout.GuestNeedsWakeupOffset)) != 0,
            "the guest's sleep", receiving);

        Assert.True(pair.DeviceQueue().Writer.TrySend("wake up"u8));

        Assert.Equal("wake up", Deadline.Join(receiving, "the guest's receive"));
        Assert.True(guest.SleepCounters.Wakeups > 0, "the guest was not woken by the doorbell");
        Assert.Equal(1, pair.DeviceQueue().Writer.Counters.Doorbells);
    }

    [Theory]
    [InlineData(WaitMode.Event)]
    [InlineData(WaitMode.Hybrid)]
    public void Idle_DeviceWithNothingToReceive_SleepsAndWakesOnTheGuestsPublish(WaitMode mode)
    {
        using var pair = RegionPair.Start(new GuestOptions { RingSize = 64, BufferSize = 64 }, new DeviceOptions { WaitMode = mode });
        var device = pair.DeviceQueue();
        var receiving = StartSleeper(() => ReceiveOne(device));
        Deadline.Until(() => device.SleepCounters.Sleeps > 0, "the device's sleep", receiving);

        Assert.True(pair.GuestQueue().Writer.TrySend("wake up"u8));

        Assert.Equal("wake up", Deadline.Join(receiving, "the device's receive"));
        Assert.True(device.SleepCounters.Wakeups > 0, "the device was not woken by the doorbell");
        Assert.True(pair.GuestQueue().Writer.Counters.Doorbells >= 1, "the guest rang no doorbell");
    }

    [Fact]
    public void Idle_PacketPublishedBeforeTheAnnouncement_RecheckFindsItAndDoesNotSleep()
    {
        using var pair = RegionPair.Start(new GuestOptions { RingSize = 64, BufferSize = 64, WaitMode = WaitMode.Event });
        var guest = pair.GuestQueue();
        Assert.True(pair.DeviceQueue().Writer.TrySend("early"u8)); // the guest is not sleeping: no doorbell

        Assert.False(guest.Idle(0), "the guest slept on a packet that was already there");

        Assert.Equal((0L, 0L), (guest.SleepCounters.Sleeps, guest.SleepCounters.Wakeups));
        Assert.Equal(0, pair.DeviceQueue().Writer.Counters.Doorbells);
        Assert.Equal("early", ReceiveOne(guest));
    }

    [Theory]
    [InlineData(WaitMode.Event)]
    [InlineData(WaitMode.Hybrid)]
    public void Idle_NoTrafficForAWhile_SleepsInsteadOfSpinning(WaitMode mode)
    {
        using var pair = RegionPair.Start(new GuestOptions { RingSize = 64, BufferSize = 64, WaitMode = mode });
        var guest = pair.GuestQueue();
        var burst = new Packet[Burst];
        var clock = Stopwatch.StartNew();
        var cpu = ThreadCpu.Now();

        while (clock.ElapsedMilliseconds < 500)
            guest.Idle(guest.Reader.TryReceive(burst));

        // Asleep between 10 ms timeouts (hybrid polls 50 us first): about 1 % of a core; a loop that spins takes it all.
        double share = (ThreadCpu.Now() - cpu) / clock.Elapsed;
        Assert.True(share < 0.2, $"the idle loop used {share:P0} of a core");
        Assert.True(guest.SleepCounters.Sleeps >= 10, $"{guest.SleepCounters.Sleeps} sleeps in 500 ms");
        Assert.Equal(guest.SleepCounters.Sleeps, guest.SleepCounters.Timeouts + guest.SleepCounters.Wakeups);
    }

    [Fact]
    public void Idle_PollMode_NeverSleeps()
    {
        using var pair = RegionPair.Start(new GuestOptions { RingSize = 64, BufferSize = 64 });
        var guest = pair.GuestQueue();

        for (int i = 0; i < 10_000; i++)
            Assert.False(guest.Idle(0));

        Assert.Equal((0L, 0L, 0L), (guest.SleepCounters.Sleeps, guest.SleepCounters.Wakeups, guest.SleepCounters.Timeouts));
    }

    [Fact]
    public void Idle_DeviceCoalescingHoldsTheDoorbell_RingsWhenItsIdleLoopFindsTheTimeUp()
    {
        using var pair = RegionPair.Start(new GuestOptions { RingSize = 64, BufferSize = 64, WaitMode = WaitMode.Event },
            new DeviceOptions { CoalesceTime = TimeSpan.FromMilliseconds(2) });
        var guest = pair.GuestQueue();
        var device = pair.DeviceQueue();
        var receiving = StartSleeper(() => ReceiveOne(guest));
        Deadline.Until(() => guest.SleepCounters.Sleeps > 0, "the guest's sleep", receiving);

        Assert.True(device.Writer.TrySend("held"u8));
        Assert.Equal(0, device.Writer.Counters.Doorbells); // held back by coalescing

        Deadline.Until(() =>
        {
            device.Idle(0); // the device's poll loop, idle: rings what it owes once the time is up
            return receiving.IsCompleted;
        }, "the guest's receive of a coalesced packet");
        Assert.Equal("held", Deadline.Join(receiving, "the guest's receive"));
        Assert.Equal(1, device.Writer.Counters.Doorbells);
    }

    /// <summary>A poll loop on <paramref name="queue"/>: receives until one packet arrives, idling between polls.</summary>
    private static string ReceiveOne(QueuePair queue)
    {
        var burst = new Packet[Burst];
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Deadline.Default)
        {
            int n = queue.Reader.TryReceive(burst);
            if (n != 0)
            {
                string text = System.Text.Encoding.ASCII.GetString(queue.Reader.Payload(burst[0]));
                queue.Reader.Return(burst.AsSpan(0, n));
                return text;
            }
            queue.Idle(0);
        }
        throw new TimeoutException($"nothing arrived within {Deadline.Default.TotalSeconds:0} s");
    }

    /// <summary>The guest's end of its doorbell and the device's end of it, on the region's control block, each side's
    /// mode declared as given (the sleeper first, as the handshake orders it).</summary>
    private (DoorbellSleeper Sleeper, Doorbell Doorbell) Start(bool guestMaySleep)
    {
        byte* control = Queue.Control;
        var sleeper = new DoorbellSleeper((uint*)(control + QueueControlLayout.GuestDoorbellOffset),
            (uint*)(control + QueueControlLayout.GuestNeedsWakeupOffset), (uint*)(control + QueueControlLayout.GuestMaySleepOffset),
            Queue.Counters + CountersLayout.GuestSleeperOffset);
        sleeper.DeclareMode(guestMaySleep);
        var rings = (ulong*)(Queue.Counters + CountersLayout.DeviceSenderOffset + HalfCountersLayout.DoorbellsOffset);
        var doorbell = new Doorbell((uint*)(control + QueueControlLayout.GuestDoorbellOffset),
            (uint*)(control + QueueControlLayout.GuestNeedsWakeupOffset), (uint*)(control + QueueControlLayout.GuestMaySleepOffset),
            rings, rings);
        doorbell.Arm();
        return (sleeper, doorbell);
    }

    /// <summary>Runs <paramref name="sleep"/> on a thread of its own; <see cref="Dispose"/> waits for it.</summary>
    private Task<T> StartSleeper<T>(Func<T> sleep)
    {
        var task = Deadline.Run(sleep);
        _sleepers.Add(task);
        return task;
    }
}
