using CsCheck;
using Ring.Layout;

namespace Ring.Tests.Fuzz;

/// <summary>
/// The CsCheck generators of a fuzzing peer's schedules. Honest sends are the most frequent step, so packets flow
/// between the hostile ones; the hostile steps hit the header, the queue control words, the counters and the four
/// rings, with values picked to be plausible (a status bit, an end-of-stream mark, a buffer's offset) as often as
/// random. CsCheck shrinks a failing schedule towards fewer steps and smaller numbers.
/// </summary>
internal static class FuzzGen
{
    /// <summary>The words a store step may hit: the handshake's header fields, the queue table, and every control word.</summary>
    private static readonly (string Field, FuzzArea Area, int Offset, int Size)[] Fields =
    [
        ("magic", FuzzArea.Header, RegionLayout.MagicOffset, 8),
        ("version", FuzzArea.Header, RegionLayout.VersionOffset, 4),
        ("device features", FuzzArea.Header, RegionLayout.DeviceFeaturesOffset, 8),
        ("guest features", FuzzArea.Header, RegionLayout.GuestFeaturesOffset, 8),
        ("queue pairs", FuzzArea.Header, RegionLayout.QueuePairsOffset, 4),
        ("ring size", FuzzArea.Header, RegionLayout.RingSizeLog2Offset, 4),
        ("buffer size", FuzzArea.Header, RegionLayout.BufferSizeOffset, 4),
        ("pool length", FuzzArea.Header, RegionLayout.PoolLengthOffset, 8),
        ("status", FuzzArea.Header, RegionLayout.StatusOffset, 4),
        ("violation", FuzzArea.Header, RegionLayout.ViolationOffset, 4),
        ("guest pid", FuzzArea.Header, RegionLayout.GuestPidOffset, 4),
        ("device pid", FuzzArea.Header, RegionLayout.DevicePidOffset, 4),
        ("device ready", FuzzArea.Header, RegionLayout.DeviceReadyOffset, 4),
        ("guest wait mode", FuzzArea.Header, RegionLayout.GuestWaitModeOffset, 4),
        ("device wait mode", FuzzArea.Header, RegionLayout.DeviceWaitModeOffset, 4),
        ("session generation", FuzzArea.Header, RegionLayout.SessionGenerationOffset, 8),
        ("queue table RX fill", FuzzArea.Header, RegionLayout.QueueTableOffset + QueueTableLayout.RxFillOffset, 8),
        ("RX end of stream", FuzzArea.Control, QueueControlLayout.RxEndOfStreamOffset, 8),
        ("TX end of stream", FuzzArea.Control, QueueControlLayout.TxEndOfStreamOffset, 8),
        ("guest doorbell", FuzzArea.Control, QueueControlLayout.GuestDoorbellOffset, 4),
        ("guest needs wakeup", FuzzArea.Control, QueueControlLayout.GuestNeedsWakeupOffset, 4),
        ("guest may sleep", FuzzArea.Control, QueueControlLayout.GuestMaySleepOffset, 4),
        ("device doorbell", FuzzArea.Control, QueueControlLayout.DeviceDoorbellOffset, 4),
        ("device needs wakeup", FuzzArea.Control, QueueControlLayout.DeviceNeedsWakeupOffset, 4),
        ("device may sleep", FuzzArea.Control, QueueControlLayout.DeviceMaySleepOffset, 4),
    ];

    private static readonly FuzzArea[] Rings = [FuzzArea.Fill, FuzzArea.RxCompletion, FuzzArea.Tx, FuzzArea.TxCompletion];

    /// <summary>Values worth storing: none, one, all ones, small numbers, one bit (a status or feature bit), an
    /// end-of-stream mark with a small or any total, and anything.</summary>
    private static readonly Gen<ulong> Value = Gen.OneOf(
        Gen.Const(0UL),
        Gen.Const(1UL),
        Gen.Const(ulong.MaxValue),
        Gen.ULong[0, 64],
        Gen.Int[0, 63].Select(bit => 1UL << bit),
        Gen.ULong[0, 4096].Select(total => QueueControlLayout.EndOfStreamFlag | total),
        Gen.ULong);

    private static readonly Gen<FuzzOp> Send =
        Gen.Select(Gen.Int[0, 1], Gen.Int[1, 64], (q, n) => (FuzzOp)new SendOp(q, n));

    private static readonly Gen<FuzzOp> Pause = Gen.Int[0, 30].Select(ms => (FuzzOp)new PauseOp(ms));

    private static readonly Gen<FuzzOp> Scribble =
        Gen.Select(Gen.Enum<FuzzArea>(), Gen.Int[0, 1], Gen.Int[0, 4095], Gen.Byte.Array[1, 24],
            (area, q, offset, bytes) => (FuzzOp)new ScribbleOp(area, q, offset, bytes));

    private static readonly Gen<FuzzOp> Store =
        Gen.Select(Gen.Int[0, Fields.Length - 1], Gen.Int[0, 1], Value, (f, q, value) =>
        {
            var (field, area, offset, size) = Fields[f];
            return (FuzzOp)new StoreOp(field, area, q, offset, size, size == 4 ? (uint)value : value);
        });

    /// <summary>A counter of any block: plain stores by its owner, which the victim may read back for its summary.</summary>
    private static readonly Gen<FuzzOp> Counter =
        Gen.Select(Gen.Int[0, CountersLayout.Length / sizeof(ulong) - 1], Gen.Int[0, 1], Value,
            (i, q, value) => (FuzzOp)new StoreOp($"counter +{i * sizeof(ulong)}", FuzzArea.Counters, q, i * sizeof(ulong), sizeof(ulong), value));

    private static readonly Gen<FuzzOp> Flip =
        Gen.Select(Gen.Int[0, Rings.Length - 1], Gen.Int[0, 1], Gen.Int[0, 1023], (r, q, slot) => (FuzzOp)new FlipGenerationOp(Rings[r], q, slot));

    private static readonly Gen<FuzzOp> Forge =
        Gen.Select(Gen.Select(Gen.Int[0, 1], Gen.Bool, Gen.Int[0, 3], Gen.Bool, Gen.Bool),
            Gen.Select(Gen.Enum<ForgedOffset>(), Gen.Int[0, 255], Gen.Enum<ForgedLength>(), Gen.OneOf(Gen.Const((ushort)DescriptorFlags.EndOfPacket), Gen.Const((ushort)0), Gen.UShort), Gen.ULong),
            (a, b) => (FuzzOp)new ForgeOp(a.Item1, a.Item2, a.Item3, a.Item4, a.Item5, b.Item1, b.Item2, b.Item3, b.Item4, b.Item5));

    private static readonly Gen<FuzzOp> Op = Gen.Frequency(
        (8, Send), (1, Pause), (3, Scribble), (3, Store), (1, Counter), (2, Flip), (4, Forge));

    private static readonly Gen<FuzzSettings> Settings =
        from queues in Gen.Int[1, 2]
        from log2 in Gen.Int[4, 6]
        from bufferSize in Gen.OneOf(64, 128, 2048)
        from mode in Gen.OneOf("poll", "event", "hybrid")
        from both in Gen.Bool
        from chains in Gen.Bool
        from full in Gen.Bool
        from packetSize in Gen.Int[16, Math.Min(bufferSize, 256)]
        from victimPackets in Gen.Int[1, 2000]
        select new FuzzSettings(queues, log2, bufferSize, mode, both, chains, full, packetSize, victimPackets);

    /// <summary>A whole schedule: settings, 1 to 60 steps, an ending.</summary>
    public static readonly Gen<FuzzSchedule> Schedule =
        Gen.Select(Settings, Op.Array[1, 60], Gen.Enum<FuzzEnding>(), (settings, ops, ending) => new FuzzSchedule(settings, ops, ending));
}
