namespace Bench;

/// <summary>
/// Where <c>bench stats</c>'s blocks go: one JSON line each (<c>--json</c>); redrawn in place like <c>top</c> when
/// watching on a terminal (cursor home, each line cleared to its end, the rest of the screen cleared, so nothing
/// flickers); else one block after another, a blank line between.
/// </summary>
internal sealed class StatsScreen(TextWriter output, bool json, bool redraw)
{
    /// <summary>ANSI: cursor to the top left corner.</summary>
    private const string Home = "\x1b[H";
    /// <summary>ANSI: clear from the cursor to the end of the line.</summary>
    private const string ClearLine = "\x1b[K";
    /// <summary>ANSI: clear from the cursor to the end of the screen.</summary>
    private const string ClearBelow = "\x1b[J";
    /// <summary>ANSI: clear the whole screen.</summary>
    private const string ClearScreen = "\x1b[2J";

    private bool _shown;

    /// <summary>Shows one block.</summary>
    public void Show(StatsSample sample)
    {
        if (json)
        {
            output.WriteLine(sample.ToJson());
        }
        else if (redraw)
        {
            string lines = StatsText.Format(sample).Replace("\n", ClearLine + "\n");
            output.Write((_shown ? Home : Home + ClearScreen) + lines + ClearLine + "\n" + ClearBelow);
        }
        else
        {
            if (_shown)
                output.WriteLine();
            output.WriteLine(StatsText.Format(sample));
        }
        output.Flush();
        _shown = true;
    }
}
