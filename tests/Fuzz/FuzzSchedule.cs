using System.Text;

namespace Ring.Tests.Fuzz;

/// <summary>What a fuzzing peer does to one victim run: the victim's settings, the steps, and how the peer ends. A
/// failure prints it whole, so the steps that made it read as a list.</summary>
internal sealed record FuzzSchedule(FuzzSettings Settings, FuzzOp[] Ops, FuzzEnding Ending)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder().AppendLine(Settings.ToString());
        foreach (var op in Ops)
            text.Append("  ").AppendLine(op.ToString());
        return text.Append("  then ").Append(Ending).ToString();
    }
}

/// <summary>The region and traffic of one run: queue pairs, ring size (log2), buffer size, the victim's wait mode,
/// whether the guest sends too (TX), whether chained buffers are offered, whether packets are checked byte for byte,
/// the honest packets' size, and how many packets the victim sends.</summary>
internal sealed record FuzzSettings(int Queues, int RingSizeLog2, int BufferSize, string Mode, bool BothDirections, bool Chains,
    bool FullVerify, int PacketSize, int VictimPackets)
{
    /// <summary>Entries per ring.</summary>
    public int RingSize => 1 << RingSizeLog2;
}

/// <summary>How the fuzzing peer leaves once its steps are done.</summary>
internal enum FuzzEnding
{
    /// <summary>Marks the end of its stream, serves the victim until it exits (a few seconds at most), then goes.</summary>
    EndStreamAndDrain,
    /// <summary>Marks the end of its stream and goes at once.</summary>
    EndStreamAndGo,
    /// <summary>Goes without a word: its socket closes as a killed process's would.</summary>
    Die,
}

/// <summary>The parts of a region a step writes into.</summary>
internal enum FuzzArea
{
    Header,
    Control,
    Counters,
    Fill,
    RxCompletion,
    Tx,
    TxCompletion,
}

/// <summary>One step of a schedule. Queue, offset and slot numbers are taken modulo what the region has.</summary>
internal abstract record FuzzOp;

/// <summary>Publishes up to <paramref name="Count"/> honest, sequence-numbered packets on queue <paramref name="Queue"/>
/// (as far as the victim gave buffers for them).</summary>
internal sealed record SendOp(int Queue, int Count) : FuzzOp;

/// <summary>Sleeps, serving nothing.</summary>
internal sealed record PauseOp(int Milliseconds) : FuzzOp;

/// <summary>Writes <paramref name="Bytes"/> at <paramref name="Offset"/> of an area (cut at the area's end).</summary>
internal sealed record ScribbleOp(FuzzArea Area, int Queue, int Offset, byte[] Bytes) : FuzzOp
{
    /// <inheritdoc />
    public override string ToString() => $"Scribble {Area} q{Queue} +{Offset}: {Convert.ToHexString(Bytes)}";
}

/// <summary>Stores <paramref name="Value"/> (<paramref name="Size"/> bytes) into a named field of an area.</summary>
internal sealed record StoreOp(string Field, FuzzArea Area, int Queue, int Offset, int Size, ulong Value) : FuzzOp
{
    /// <inheritdoc />
    public override string ToString() => $"Store {Field} q{Queue} = 0x{Value:x}";
}

/// <summary>Flips the generation bit of slot <paramref name="Slot"/> of ring <paramref name="Ring"/>.</summary>
internal sealed record FlipGenerationOp(FuzzArea Ring, int Queue, int Slot) : FuzzOp;

/// <summary>
/// Writes a plausible entry into one of the two rings the fuzzing peer writes (its packet ring when
/// <paramref name="PacketRing"/>, else its buffer ring), <paramref name="Ahead"/> entries past its own place, with the
/// generation that makes it ready or the other one. It names buffer <paramref name="Buffer"/> of the victim's side,
/// or something near or far from it (<paramref name="Offset"/>), carries a length of <paramref name="Length"/>'s kind and
/// <paramref name="Flags"/>. With <paramref name="Advance"/> (and nothing ahead) the peer moves past it as past a real entry.
/// </summary>
internal sealed record ForgeOp(int Queue, bool PacketRing, int Ahead, bool Ready, bool Advance, ForgedOffset Offset, int Buffer,
    ForgedLength Length, ushort Flags, ulong Noise) : FuzzOp;

/// <summary>What a forged entry names.</summary>
internal enum ForgedOffset
{
    /// <summary>A buffer of the side the ring carries, of this queue: a valid offset.</summary>
    OwnBuffer,
    /// <summary>Inside such a buffer, not at its start.</summary>
    Misaligned,
    /// <summary>A buffer of the other direction.</summary>
    OtherDirection,
    /// <summary>A buffer of another queue pair.</summary>
    OtherQueue,
    /// <summary>The pool's end.</summary>
    PoolEnd,
    /// <summary>Any 64-bit value.</summary>
    Noise,
}

/// <summary>The length a forged descriptor carries.</summary>
internal enum ForgedLength
{
    Small,
    Zero,
    Full,
    OneTooMany,
    Noise,
}
