using System.Diagnostics;
using System.Globalization;
using Ring;

namespace Bench;

/// <summary>
/// A pair run's progress on a terminal: one line on standard error, redrawn with '\r' once a second: the seconds since
/// the handshake (of the total, for a timed run), the packets received (of the total, for a counted run) and the rate
/// over the last second. The counts come from a <see cref="RegionObserver"/> on the pair's region, read-only, so
/// the run itself pays nothing for them. The line is erased when the progress is disposed.
/// </summary>
internal sealed class PairProgress : IDisposable
{
    private readonly TextWriter _output;
    private readonly string _label;
    private readonly string _region;
    private readonly double? _seconds;
    private readonly long? _packets;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    private PairProgress(TextWriter output, string label, string region, double? seconds, long? packets)
    {
        (_output, _label, _region, _seconds, _packets) = (output, label, region, seconds, packets);
        _thread = new Thread(Run) { IsBackground = true, Name = "pair progress" };
        _thread.Start();
    }

    /// <summary>
    /// Starts showing the progress of the pair on <paramref name="region"/> when standard error is a terminal, else
    /// returns null. <paramref name="seconds"/> or <paramref name="packets"/> (all senders together) is the run's length.
    /// </summary>
    public static PairProgress? OnTerminal(string label, string region, double? seconds, long? packets) =>
        Console.IsErrorRedirected ? null : new PairProgress(Console.Error, label, region, seconds, packets);

    private void Run()
    {
        RegionObserver? observer = null;
        try
        {
            long? since = null, before = null, beforeTicks = 0;
            while (!_stop.Token.WaitHandle.WaitOne(observer is null ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromSeconds(1)))
            {
                observer ??= TryOpen();
                var snapshot = observer?.Snapshot();
                if (snapshot is null || snapshot.State != RegionState.Running)
                {
                    Show(snapshot is null ? "starting" : snapshot.State == RegionState.WaitingForDevice ? "handshake" : "finishing");
                    continue;
                }
                long ticks = Stopwatch.GetTimestamp();
                since ??= ticks;
                long received = snapshot.Queues.Sum(q => q.GuestReceiver.Packets + q.DeviceReceiver.Packets);
                double seconds = Stopwatch.GetElapsedTime(since.Value, ticks).TotalSeconds;
                string rate = before is { } b ? $", {(received - b) / Stopwatch.GetElapsedTime(beforeTicks.Value, ticks).TotalSeconds / 1e6:0.00} Mpps" : "";
                string time = _seconds is { } total ? $"{seconds:0}/{total:0.#} s" : $"{seconds:0} s";
                string count = _packets is { } all ? $", {Millions(received)}/{Millions(all)} packets" : "";
                Show(time + count + rate);
                (before, beforeTicks) = (received, ticks);
            }
        }
        finally
        {
            observer?.Dispose();
        }
    }

    /// <summary>The observer once the consumer has created the region; null before.</summary>
    private RegionObserver? TryOpen()
    {
        try
        {
            return _region.Contains('/') ? RegionObserver.OpenAtPath(_region) : RegionObserver.Open(_region);
        }
        catch (RingException)
        {
            return null;
        }
    }

    private void Show(string what) => _output.Write($"\r{_label}: {what}\x1b[K");

    private static string Millions(long count) => (count / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + "M";

    /// <summary>Stops the sampling and erases the line.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _output.Write("\r\x1b[K");
        _stop.Dispose();
    }
}
