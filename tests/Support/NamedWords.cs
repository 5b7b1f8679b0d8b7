using System.Globalization;
using Ring.Layout;

namespace Ring.Tests.Support;

/// <summary>
/// The words a hostile-input corpus row may write, by the names the row uses: the header's fields and queue-table
/// entries (<see cref="Header"/>, offsets from the start of the region) and a queue pair's control words
/// (<see cref="Control"/>, offsets from its control block), each with its width. A row writes
/// <c>name=value</c>, <c>name+=value</c>, <c>name-=value</c> or <c>name|=value</c>; a value is decimal, 0x hex, or
/// <c>max</c> (every bit of the word set).
/// </summary>
internal sealed class NamedWords
{
    private readonly Dictionary<string, (int Offset, int Width)> _words;

    private NamedWords(Dictionary<string, (int, int)> words) => _words = words;

    /// <summary>The header's fields, and the queue table's entries 0 and 1 as <c>queue0.rx_fill</c> and the like.</summary>
    public static NamedWords Header { get; } = new(HeaderWords());

    /// <summary>Queue pair 0's control words.</summary>
    public static NamedWords Control { get; } = new(new()
    {
        ["rx_eos"] = (QueueControlLayout.RxEndOfStreamOffset, 8),
        ["tx_eos"] = (QueueControlLayout.TxEndOfStreamOffset, 8),
        ["guest_doorbell"] = (QueueControlLayout.GuestDoorbellOffset, 4),
        ["guest_needs_wakeup"] = (QueueControlLayout.GuestNeedsWakeupOffset, 4),
        ["guest_may_sleep"] = (QueueControlLayout.GuestMaySleepOffset, 4),
        ["device_doorbell"] = (QueueControlLayout.DeviceDoorbellOffset, 4),
        ["device_needs_wakeup"] = (QueueControlLayout.DeviceNeedsWakeupOffset, 4),
        ["device_may_sleep"] = (QueueControlLayout.DeviceMaySleepOffset, 4),
    });

    /// <summary>Parses <paramref name="assignment"/> (<c>name op value</c>) into a write; throws naming what is wrong.</summary>
    public Write Parse(string assignment)
    {
        int op = assignment.IndexOf('=', StringComparison.Ordinal);
        if (op < 1)
            throw new FormatException($"'{assignment}' is not name=value");
        char kind = assignment[op - 1] is '+' or '-' or '|' ? assignment[op - 1] : '=';
        string name = assignment[..(kind == '=' ? op : op - 1)];
        if (!_words.TryGetValue(name, out var word))
            throw new FormatException($"unknown word '{name}' in '{assignment}' (known: {string.Join(", ", _words.Keys)})");
        return new Write(name, word.Offset, word.Width, kind, ParseValue(assignment[(op + 1)..], word.Width));
    }

    /// <summary>A number as a row writes it: decimal, 0x hex, or <c>max</c> for every bit of a <paramref name="width"/>-byte word.</summary>
    public static ulong ParseValue(string text, int width = 8) =>
        text == "max" ? (width == 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1)
        : text.StartsWith("0x", StringComparison.Ordinal) ? ulong.Parse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture)
        : ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static Dictionary<string, (int, int)> HeaderWords()
    {
        var words = new Dictionary<string, (int, int)>
        {
            ["magic"] = (RegionLayout.MagicOffset, 8),
            ["version"] = (RegionLayout.VersionOffset, 4),
            ["header_length"] = (RegionLayout.HeaderLengthOffset, 4),
            ["device_features"] = (RegionLayout.DeviceFeaturesOffset, 8),
            ["guest_features"] = (RegionLayout.GuestFeaturesOffset, 8),
            ["queue_pairs"] = (RegionLayout.QueuePairsOffset, 4),
            ["ring_size_log2"] = (RegionLayout.RingSizeLog2Offset, 4),
            ["descriptor_size"] = (RegionLayout.DescriptorSizeOffset, 4),
            ["buffer_size"] = (RegionLayout.BufferSizeOffset, 4),
            ["buffer_count"] = (RegionLayout.BufferCountOffset, 4),
            ["buffer_stride"] = (RegionLayout.BufferStrideOffset, 4),
            ["pool_offset"] = (RegionLayout.PoolOffsetOffset, 8),
            ["pool_length"] = (RegionLayout.PoolLengthOffset, 8),
            ["region_length"] = (RegionLayout.RegionLengthOffset, 8),
            ["status"] = (RegionLayout.StatusOffset, 4),
            ["violation"] = (RegionLayout.ViolationOffset, 4),
            ["guest_pid"] = (RegionLayout.GuestPidOffset, 4),
            ["device_pid"] = (RegionLayout.DevicePidOffset, 4),
            ["device_ready"] = (RegionLayout.DeviceReadyOffset, 4),
            ["session_generation"] = (RegionLayout.SessionGenerationOffset, 8),
        };
        (string Name, int Offset)[] entry =
        [
            ("control", QueueTableLayout.ControlOffset), ("counters", QueueTableLayout.CountersOffset),
            ("rx_fill", QueueTableLayout.RxFillOffset), ("rx_completion", QueueTableLayout.RxCompletionOffset),
            ("tx", QueueTableLayout.TxOffset), ("tx_completion", QueueTableLayout.TxCompletionOffset),
        ];
        for (int q = 0; q < 2; q++)
            foreach (var (name, offset) in entry)
                words[$"queue{q}.{name}"] = (RegionLayout.QueueTableOffset + q * RegionLayout.QueueEntryLength + offset, 8);
        return words;
    }

    /// <summary>One write of a row: <see cref="Kind"/> '=' stores <see cref="Value"/>, '+' and '-' add or subtract it
    /// from what is there, '|' sets its bits.</summary>
    public readonly record struct Write(string Name, int Offset, int Width, char Kind, ulong Value)
    {
        /// <summary>Applies the write to the word at <paramref name="block"/> + <see cref="Offset"/> (little-endian, aligned).</summary>
        public unsafe void ApplyTo(byte* block)
        {
            byte* at = block + Offset;
            if (Kind == '|') // a set of bits, as each side sets status bits: atomically, so neither loses the other's
            {
                if (Width == 8)
                    Interlocked.Or(ref *(ulong*)at, Value);
                else
                    Interlocked.Or(ref *(uint*)at, (uint)Value);
            }
            else if (Width == 8)
            {
                ref ulong word = ref *(ulong*)at;
                Volatile.Write(ref word, Combine(Volatile.Read(ref word)));
            }
            else
            {
                ref uint word = ref *(uint*)at;
                Volatile.Write(ref word, (uint)Combine(Volatile.Read(ref word)));
            }
        }

        private ulong Combine(ulong now) => Kind switch
        {
            '+' => now + Value,
            '-' => now - Value,
            _ => Value,
        };
    }
}
