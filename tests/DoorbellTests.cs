using System.Runtime.InteropServices;
using Ring.Layout;
using Ring.Queues;
using Ring.Region;
using Ring.Tests.Support;

namespace Ring.Tests;

/// <summary>
/// The doorbell protocol of docs/DOORBELL.md in one process: the waker rings only a peer that announced it sleeps
/// (W3) and whose mode can sleep, coalescing holds a doorbell back but never drops it, the sleeper re-checks after
/// announcing (S4) and a ring that lands after S1 ends its wait at once (S5). The peer's need-wakeup and doorbell
/// words are read and forged through a second, raw mapping of the region, as a peer process would see them.
/// Waits that could hang run on their own thread with a deadline far below their timeout: a deadline check, not
/// a timing assertion.
/// </summary>
public sealed class DoorbellTests : IDisposable
{
    private const int Burst = 32;

    /// <summary>How long a test waits for something that should happen at once.</summary>
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>A sleep's timeout when only a ring should end it.</summary>
    private static readonly TimeSpan LongSleep = TimeSpan.FromSeconds(10);

    private readonly List<Task> _sleepers = [];
    private SleepingPair? _pair;

    public void Dispose()
    {
        // A sleeper that missed its deadline still waits out its own timeout; unmapping the region under it would
        // crash the test host, so let it finish first.
        foreach (var sleeper in _sleepers)
            sleeper.ContinueWith(_ => { }, TaskScheduler.Default).Wait(LongSleep + Deadline);
        _pair?.Dispose();
    }

    [Fact]
    public void Doorbell_PeerNotSleeping_IsNotRung()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: true);

        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Burst, pair.CompleteRx(Burst));   // device publishes: may ring the guest
            Assert.Equal(Burst, pair.ReceiveAndRecycle()); // guest publishes fill entries: may ring the device
        }

        Assert.Equal(0, pair.Device.GuestDoorbell.Rings);
        Assert.Equal(0, pair.Guest.DeviceDoorbell.Rings);
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestDoorbellOffset));
        Assert.Equal(0u, pair.Word(QueueControlLayout.DeviceDoorbellOffset));
    }

    [Fact]
    public void Doorbell_PeerAnnouncedSleep_IsRungOnceAndWordChanges()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: true);
        uint before = pair.Word(QueueControlLayout.GuestDoorbellOffset);
        pair.SetWord(QueueControlLayout.GuestNeedsWakeupOffset, 1);

        pair.CompleteRx(Burst);

        Assert.Equal(1, pair.Device.GuestDoorbell.Rings);
        Assert.Equal(before + 1, pair.Word(QueueControlLayout.GuestDoorbellOffset));
    }

    [Fact]
    public void Doorbell_DeviceAnnouncedSleep_GuestSendRingsItOnce()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: true);
        uint before = pair.Word(QueueControlLayout.DeviceDoorbellOffset);
        pair.SetWord(QueueControlLayout.DeviceNeedsWakeupOffset, 1);
        Span<Packet> packets = stackalloc Packet[1];
        Assert.Equal(1, pair.Guest.AllocateTx(packets, 64));

        Assert.Equal(1, pair.Guest.SendBurst(packets));

        Assert.Equal(1, pair.Guest.DeviceDoorbell.Rings);
        Assert.Equal(before + 1, pair.Word(QueueControlLayout.DeviceDoorbellOffset));
    }

    [Fact]
    public void Doorbell_PeerModeNeverSleeps_StaysSilentEvenIfFlagSet()
    {
        var pair = Start(guestMaySleep: false, deviceMaySleep: true);
        pair.SetWord(QueueControlLayout.GuestNeedsWakeupOffset, 1); // a stray flag from a guest that only polls
        var doorbell = pair.Device.GuestDoorbell;

        pair.CompleteRx(Burst);
        doorbell.Flush();
        doorbell.FlushIfDue();
        pair.Device.MarkRxEndOfStream();

        Assert.Equal(0, doorbell.Rings);
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestDoorbellOffset));
    }

    [Fact]
    public void Coalesce_FrameLimit_RingsOnceOnTheBurstThatReachesIt()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: true);
        var doorbell = pair.Device.GuestDoorbell;
        doorbell.Coalesce(frames: 2 * Burst, TimeSpan.Zero);
        pair.SetWord(QueueControlLayout.GuestNeedsWakeupOffset, 1);

        pair.CompleteRx(Burst);
        Assert.Equal(0, doorbell.Rings);
        Assert.True(doorbell.Owed, "the first burst's doorbell is not owed");
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestDoorbellOffset));

        pair.CompleteRx(Burst);
        Assert.Equal(1, doorbell.Rings);
        Assert.False(doorbell.Owed, "a doorbell is still owed after the ring");
        Assert.Equal(1u, pair.Word(QueueControlLayout.GuestDoorbellOffset));
    }

    [Fact]
    public void Coalesce_TimeLimit_RingsOnlyWhenFlushIfDueFindsTimeUp()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: true);
        var doorbell = pair.Device.GuestDoorbell;
        doorbell.Coalesce(frames: 0, TimeSpan.FromMilliseconds(1));
        pair.SetWord(QueueControlLayout.GuestNeedsWakeupOffset, 1);

        doorbell.FlushIfDue(); // nothing published yet: nothing owed
        Assert.Equal(0, doorbell.Rings);
        pair.CompleteRx(Burst); // the hold starts with this publish, so it cannot be due yet
        Assert.Equal(0, doorbell.Rings);
        Assert.True(doorbell.Owed, "the burst's doorbell is not owed");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (doorbell.Rings == 0 && clock.Elapsed < Deadline)
        {
            Thread.Sleep(20);
            doorbell.FlushIfDue();
        }

        Assert.Equal(1, doorbell.Rings);
        Assert.False(doorbell.Owed, "a doorbell is still owed after the ring");
        Assert.Equal(1u, pair.Word(QueueControlLayout.GuestDoorbellOffset));
    }

    [Fact]
    public void Flush_DoorbellHeldByCoalescing_RingsAtOnce()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: true);
        var doorbell = pair.Device.GuestDoorbell;
        doorbell.Coalesce(frames: 2 * Burst, TimeSpan.FromSeconds(1));
        pair.SetWord(QueueControlLayout.GuestNeedsWakeupOffset, 1);
        pair.CompleteRx(Burst);
        Assert.Equal(0, doorbell.Rings);

        doorbell.Flush();

        Assert.Equal(1, doorbell.Rings);
        Assert.False(doorbell.Owed, "a doorbell is still owed after the flush");
        Assert.Equal(1u, pair.Word(QueueControlLayout.GuestDoorbellOffset));
    }

    [Fact]
    public void Sleep_RecheckFindsWork_ReturnsFalseAtOnceAndClearsFlag()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        var sleeper = pair.Guest.Sleeper;
        uint flagDuringRecheck = 0;

        bool slept = sleeper.Sleep(() =>
        {
            flagDuringRecheck = pair.Word(QueueControlLayout.GuestNeedsWakeupOffset);
            return true;
        }, LongSleep);

        Assert.False(slept);
        Assert.Equal(1u, flagDuringRecheck); // S2 before S4: the re-check runs announced
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestNeedsWakeupOffset));
        Assert.Equal((0, 0, 0), (sleeper.Sleeps, sleeper.Wakeups, sleeper.Timeouts));
    }

    [Fact]
    public void Sleep_EmptyRingShortTimeout_TimesOutAndCountsIt()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        var sleeper = pair.Guest.Sleeper;
        Assert.False(pair.Guest.HasRxWork, "a fresh queue has RX work");

        bool slept = sleeper.Sleep(() => pair.Guest.HasRxWork, TimeSpan.FromMilliseconds(5));

        Assert.True(slept);
        Assert.Equal((1, 0, 1), (sleeper.Sleeps, sleeper.Wakeups, sleeper.Timeouts));
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestNeedsWakeupOffset));
    }

    [Fact]
    public void Sleep_RungFromAnotherThread_WakesLongBeforeTimeout()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        var sleeper = pair.Guest.Sleeper;
        // The re-check finds nothing even if the publish below lands first, so only the ring can end the sleep.
        var sleeping = StartSleeper(() => sleeper.Sleep(() => false, LongSleep));
        WaitForGuestAnnouncement(pair, sleeping);

        pair.CompleteRx(Burst); // publish, see the announcement, ring

        Finish(sleeping, "a sleeper rung by the device");
        Assert.Equal(1, pair.Device.GuestDoorbell.Rings);
        Assert.Equal(1, sleeper.Wakeups);
        Assert.Equal(0, sleeper.Timeouts);
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestNeedsWakeupOffset));
    }

    [Fact]
    public void Sleep_RingLandsBetweenAnnounceAndWait_ReturnsAtOnce()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        var sleeper = pair.Guest.Sleeper;

        // The re-check (S4) runs after S1 read the word and before S5 waits on it: a ring there (W4) must not be lost.
        var sleeping = StartSleeper(() => sleeper.Sleep(() =>
        {
            pair.SetWord(QueueControlLayout.GuestDoorbellOffset, pair.Word(QueueControlLayout.GuestDoorbellOffset) + 1);
            return false;
        }, LongSleep));

        Assert.False(Finish(sleeping, "a sleeper whose doorbell rang before its wait"));
        Assert.Equal((0, 1, 0), (sleeper.Sleeps, sleeper.Wakeups, sleeper.Timeouts));
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestNeedsWakeupOffset));
    }

    [Fact]
    public void Sleep_ModeNeverSleeps_Throws()
    {
        var pair = Start(guestMaySleep: false, deviceMaySleep: false);

        Assert.Throws<InvalidOperationException>(() => pair.Guest.Sleeper.Sleep(() => false, LongSleep));
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestNeedsWakeupOffset));
    }

    [Fact]
    public void BusySpinWait_ManyIdlePolls_NeverSleeps()
    {
        var wait = new BusySpinWait();

        for (int i = 0; i < 10_000; i++)
            Assert.False(wait.Idle(0, TimeSpan.MaxValue));

        Assert.Equal(0, wait.SpuriousWakeups);
    }

    [Fact]
    public void DoorbellWait_WokenThenNothingFound_CountsSpuriousWakeup()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        int rechecks = 0;
        var wait = new DoorbellWait(pair.Guest.Sleeper, () => ++rechecks > 1, LongSleep);
        var idling = StartSleeper(() =>
        {
            wait.Idle(0, TimeSpan.MaxValue); // sleeps until the ring
            return wait.Idle(0, TimeSpan.MaxValue); // the poll after the wake-up found nothing
        });
        WaitForGuestAnnouncement(pair, idling);

        pair.Device.GuestDoorbell.Flush();

        Assert.False(Finish(idling, "an idle strategy rung by the device"));
        Assert.Equal(1, pair.Guest.Sleeper.Wakeups);
        Assert.Equal(1, wait.SpuriousWakeups);
    }

    [Fact]
    public void DoorbellWait_WokenThenWorkFound_CountsNoSpuriousWakeup()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        int rechecks = 0;
        var wait = new DoorbellWait(pair.Guest.Sleeper, () => ++rechecks > 1, LongSleep);
        var idling = StartSleeper(() =>
        {
            wait.Idle(0, TimeSpan.MaxValue); // sleeps until the ring
            wait.Idle(Burst, TimeSpan.MaxValue); // the poll after the wake-up found work
            return wait.Idle(0, TimeSpan.MaxValue);
        });
        WaitForGuestAnnouncement(pair, idling);

        pair.Device.GuestDoorbell.Flush();

        Finish(idling, "an idle strategy rung by the device");
        Assert.Equal(1, pair.Guest.Sleeper.Wakeups);
        Assert.Equal(0, wait.SpuriousWakeups);
    }

    [Fact]
    public void HybridWait_IdleWithinPollBudget_NeverSleeps()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        int rechecks = 0;
        var wait = new HybridWait(pair.Guest.Sleeper, () => ++rechecks > 0, pollBudget: TimeSpan.FromSeconds(10), LongSleep);

        for (int i = 0; i < 10_000; i++)
            Assert.False(wait.Idle(0, TimeSpan.MaxValue));

        Assert.Equal(0, rechecks); // never even announced a sleep
        Assert.Equal(0, pair.Guest.Sleeper.Sleeps);
        Assert.Equal(0u, pair.Word(QueueControlLayout.GuestNeedsWakeupOffset));
    }

    [Fact]
    public void HybridWait_PollBudgetSpent_SleepsOnTheDoorbell()
    {
        var pair = Start(guestMaySleep: true, deviceMaySleep: false);
        var wait = new HybridWait(pair.Guest.Sleeper, () => false, pollBudget: TimeSpan.Zero, TimeSpan.FromMilliseconds(5));

        Assert.True(wait.Idle(0, TimeSpan.MaxValue));

        Assert.Equal(1, pair.Guest.Sleeper.Sleeps);
        Assert.Equal(1, pair.Guest.Sleeper.Timeouts);
    }

    private SleepingPair Start(bool guestMaySleep, bool deviceMaySleep) =>
        _pair = SleepingPair.Start(guestMaySleep, deviceMaySleep);

    /// <summary>Runs <paramref name="sleep"/> on a thread of its own; <see cref="Dispose"/> waits for it.</summary>
    private Task<T> StartSleeper<T>(Func<T> sleep)
    {
        var task = Task.Factory.StartNew(sleep, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _sleepers.Add(task);
        return task;
    }

    /// <summary>The sleeper's result; fails when it has not returned within <see cref="Deadline"/>.</summary>
    private static T Finish<T>(Task<T> sleeper, string what)
    {
        Assert.True(sleeper.Wait(Deadline), $"{what} did not return within {Deadline.TotalSeconds:0} s (its timeout is {LongSleep.TotalSeconds:0} s)");
        return sleeper.Result;
    }

    /// <summary>Waits until the guest has announced a sleep (S2), as the device would see it.</summary>
    private static void WaitForGuestAnnouncement(SleepingPair pair, Task sleeper)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (pair.Word(QueueControlLayout.GuestNeedsWakeupOffset) != 1)
        {
            Assert.False(sleeper.IsCompleted, $"the sleeper returned without announcing a sleep ({sleeper.Status})");
            Assert.True(clock.Elapsed < Deadline, $"the guest did not announce a sleep within {Deadline.TotalSeconds:0} s");
            Thread.Sleep(1);
        }
    }

    /// <summary>
    /// A driver and a device on a fresh region with the handshake done, like <see cref="RegionPair"/>, except that
    /// each side declares whether its mode may sleep, so doorbells are armed; plus a raw mapping of the region, to
    /// read and write queue pair 0's control words the way the other process would.
    /// </summary>
    private sealed class SleepingPair : IDisposable
    {
        private static readonly RegionGeometry Geometry = RegionGeometry.ForQueues(1, 256, 256);

        private readonly Driver _driver;
        private readonly Device _device;
        private readonly HostilePeer _peer;

        private SleepingPair(Driver driver, Device device)
        {
            _driver = driver;
            _device = device;
            _peer = new HostilePeer(driver.Path, driver.Geometry);
        }

        /// <summary>Queue pair 0, guest side.</summary>
        public GuestQueue Guest => _driver.Queue(0);

        /// <summary>Queue pair 0, device side.</summary>
        public DeviceQueue Device => _device.Queue(0);

        /// <summary>Creates a region and runs the handshake with each side's mode declared as given.</summary>
        public static SleepingPair Start(bool guestMaySleep, bool deviceMaySleep)
        {
            var driver = RegionPair.CreateDriver(Geometry);
            string path = driver.Path;
            var attach = Task.Factory.StartNew(
                () => Region.Device.Attach(path, Features.EndOfStream, RegionPair.Deadline, maySleep: deviceMaySleep),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            try
            {
                driver.Start(Features.EndOfStream, Features.EndOfStream, RegionPair.Deadline, maySleep: guestMaySleep);
                if (!attach.Wait(RegionPair.Deadline))
                    throw new TimeoutException($"device did not attach to {path} within {RegionPair.Deadline.TotalSeconds} s");
                return new SleepingPair(driver, attach.Result);
            }
            catch
            {
                attach.ContinueWith(t =>
                {
                    if (t.IsCompletedSuccessfully)
                        t.Result.Dispose();
                }, TaskScheduler.Default);
                driver.Dispose();
                throw;
            }
        }

        /// <summary>The u32 at <paramref name="controlOffset"/> of queue pair 0's control block, read through the raw mapping.</summary>
        public uint Word(int controlOffset) => (uint)Marshal.ReadInt32(_peer.Address(_peer.Rings.Control + controlOffset));

        /// <summary>Overwrites the u32 at <paramref name="controlOffset"/> through the raw mapping.</summary>
        public void SetWord(int controlOffset, uint value) =>
            Marshal.WriteInt32(_peer.Address(_peer.Rings.Control + controlOffset), (int)value);

        /// <summary>As the device: fills up to <paramref name="count"/> guest buffers and publishes them in one burst.</summary>
        public int CompleteRx(int count)
        {
            Span<Packet> burst = stackalloc Packet[count];
            int n = Device.TakeRxBuffers(burst);
            Device.CompleteRx(burst[..n]);
            return n;
        }

        /// <summary>As the guest: receives one burst and recycles its buffers onto the fill ring.</summary>
        public int ReceiveAndRecycle()
        {
            Span<Packet> burst = stackalloc Packet[64];
            int n = Guest.ReceiveBurst(burst);
            Guest.Recycle(burst[..n]);
            return n;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _peer.Dispose();
            _device.Dispose();
            _driver.Dispose();
        }
    }
}
