using System.Text.RegularExpressions;

namespace Ring.Tests.Support;

/// <summary>
/// The hostile-input corpus, <c>tests/Corpus/hostile.tsv</c>: one case per row, tab-separated, <c>#</c> starting a
/// comment line. Columns: id, victim (the real program under attack: Producer or Consumer), target (what the test
/// corrupts: file, memfd, header, handshake, tx, rx), the victim's extra arguments (<c>-</c> for none), what is written
/// (space-separated tokens, read by the test for that target), the expected outcome, and why.
/// </summary>
internal static partial class HostileCorpus
{
    /// <summary>The corpus beside the test assembly (the project copies it there).</summary>
    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "Corpus", "hostile.tsv");

    private static readonly Lazy<IReadOnlyList<HostileRow>> s_rows = new(() => Load(FilePath));

    /// <summary>Every row, in file order.</summary>
    public static IReadOnlyList<HostileRow> Rows => s_rows.Value;

    /// <summary>The row with <paramref name="id"/>.</summary>
    public static HostileRow Row(string id) => Rows.Single(r => r.Id == id);

    /// <summary>Reads and parses every row of <paramref name="path"/>; throws naming the line of the first bad one.</summary>
    public static IReadOnlyList<HostileRow> Load(string path)
    {
        var rows = new List<HostileRow>();
        string[] lines = File.ReadAllLines(path);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith('#'))
                continue;
            string[] c = line.Split('\t');
            if (c.Length != 7)
                throw new FormatException($"{path}:{i + 1}: {c.Length} tab-separated columns, expected 7 (id, victim, target, args, write, expect, why)");
            try
            {
                rows.Add(new HostileRow(c[0], c[1], c[2], c[3] == "-" ? [] : c[3].Split(' '), c[4].Split(' ', StringSplitOptions.RemoveEmptyEntries),
                    Expectation.Parse(c[5]), c[6]));
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}:{i + 1}: {e.Message}", e);
            }
        }
        return rows;
    }

    [GeneratedRegex("^exit (\\d+) \"(.+)\"$")]
    private static partial Regex ExitPattern();

    /// <summary>What a row expects of its victim: <c>ok</c> (exit 0, nothing on stderr), <c>exit N "phrase"</c> (exit code N
    /// and one line on stderr that says the phrase), or <c>drop Reason=n ...</c> (exit 3, the run's summary counting
    /// exactly those drops by reason).</summary>
    public sealed record Expectation(string Kind, int ExitCode, string Phrase, IReadOnlyDictionary<string, long> Drops)
    {
        public static Expectation Parse(string text)
        {
            if (text == "ok")
                return new("ok", 0, "", new Dictionary<string, long>());
            if (ExitPattern().Match(text) is { Success: true } exit)
                return new("exit", int.Parse(exit.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), exit.Groups[2].Value,
                    new Dictionary<string, long>());
            if (text.StartsWith("drop ", StringComparison.Ordinal))
            {
                var drops = new Dictionary<string, long>();
                foreach (string pair in text[5..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    string[] kv = pair.Split('=');
                    if (kv.Length != 2 || !Enum.TryParse<DropReason>(kv[0], out _))
                        throw new FormatException($"'{pair}' is not DropReason=count");
                    drops[kv[0]] = (long)NamedWords.ParseValue(kv[1]);
                }
                return new("drop", Harness.Hosting.ExitCodes.VerificationFailed, "verification failed", drops);
            }
            throw new FormatException($"expected outcome '{text}' is none of: ok; exit N \"phrase\"; drop Reason=n ...");
        }
    }
}

/// <summary>One case of the corpus (see <see cref="HostileCorpus"/>).</summary>
internal sealed record HostileRow(string Id, string Victim, string Target, string[] Args, string[] Writes,
    HostileCorpus.Expectation Expect, string Why)
{
    /// <inheritdoc />
    public override string ToString() => $"{Id} ({Victim}, {Target}: {string.Join(' ', Writes)}; expect {Expect.Kind}): {Why}";
}
