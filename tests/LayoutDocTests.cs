using System.Globalization;
using System.Reflection;
using Ring.Layout;
using Ring.Memory;

namespace Ring.Tests;

/// <summary>
/// Ties docs/LAYOUT.md to the layout classes. Rule: under the heading <c>### ClassName</c> is one table with the
/// columns <c>offset | size | field | written by | meaning</c>. Its rows are exactly the class's
/// <c>public const int</c> fields whose names end in "Offset", each at the constant's value, in ascending order
/// and not overlapping. A size is a byte count; only the last row may give a variable size (e.g. "n × entry").
/// </summary>
public sealed class LayoutDocTests
{
    private static readonly string[] TableColumns = ["offset", "size", "field", "written by", "meaning"];

    private static readonly string[] LayoutClassNames =
        [nameof(RegionLayout), nameof(QueueTableLayout), nameof(QueueControlLayout), nameof(CountersLayout),
            nameof(HalfCountersLayout), nameof(SleeperCountersLayout), nameof(DescriptorLayout)];

    public static TheoryData<string> LayoutClasses => new(LayoutClassNames);

    [Theory]
    [MemberData(nameof(LayoutClasses))]
    public void Table_MatchesLayoutConstants(string className)
    {
        var constants = OffsetConstants(LayoutType(className));
        var rows = ReadTable(className, TableColumns).Select(ParseFieldRow).ToList();

        var documented = rows.Select(r => r.Field).ToList();
        Assert.Equal(documented.Distinct().Count(), documented.Count);
        var undocumented = constants.Keys.Except(documented).ToList();
        var unknown = documented.Except(constants.Keys).ToList();
        Assert.True(undocumented.Count == 0, $"{className} constants missing from docs/LAYOUT.md: {string.Join(", ", undocumented)}");
        Assert.True(unknown.Count == 0, $"docs/LAYOUT.md rows naming no {className} constant: {string.Join(", ", unknown)}");
        foreach (var row in rows)
            Assert.True(constants[row.Field] == row.Offset,
                $"{className}.{row.Field} is {constants[row.Field]} in code, {row.Offset} in docs/LAYOUT.md");
    }

    [Theory]
    [MemberData(nameof(LayoutClasses))]
    public void Table_Rows_AreSortedAlignedAndDoNotOverlap(string className)
    {
        var rows = ReadTable(className, TableColumns).Select(ParseFieldRow).ToList();
        Assert.NotEmpty(rows);
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            bool last = i == rows.Count - 1;
            Assert.True(row.Size is not null || last, $"{className}.{row.Field}: only the last row may have a variable size");
            Assert.True(row.Size is null or > 0, $"{className}.{row.Field}: size {row.Size}");
            if (row.Size is { } size and <= sizeof(ulong))
                Assert.True(row.Offset % size == 0, $"{className}.{row.Field} at {row.Offset} is not aligned to its size {size}");
            if (!last)
                Assert.True(row.Offset + row.Size <= rows[i + 1].Offset,
                    $"{className}.{row.Field} ({row.Offset} + {row.Size}) overlaps {rows[i + 1].Field} at {rows[i + 1].Offset}");
        }
    }

    [Theory]
    [MemberData(nameof(LayoutClasses))]
    public void Table_Rows_EndWithinTheStructure(string className)
    {
        if (LengthOf(LayoutType(className)) is not { } bytes)
            return;
        foreach (var row in ReadTable(className, TableColumns).Select(ParseFieldRow))
            Assert.True(row.Offset + row.Size <= bytes, $"{className}.{row.Field} ends at {row.Offset + row.Size}, past the structure's {bytes} bytes");
    }

    [Fact]
    public void Doc_EveryLayoutClass_HasATable()
    {
        var withOffsets = typeof(RegionLayout).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(RegionLayout).Namespace && t.IsClass && OffsetConstants(t).Count > 0)
            .Select(t => t.Name)
            .Order();
        Assert.Equal(LayoutClassNames.Order(), withOffsets);
    }

    [Fact]
    public void WorkedExample_DefaultGeometry_MatchesRegionGeometry()
    {
        var geometry = RegionGeometry.ForQueues(1, 1024, 2048, GuestOptions.DefaultBuffersPerRing(1024));
        var q = geometry.QueuePair(0);
        long queueEnd = q.TxCompletion + RingLayout.Length(geometry.RingSize, DescriptorLayout.BufferEntryLength);
        var expected = new Dictionary<string, (long Offset, long Length)>
        {
            ["header"] = (0, RegionLayout.HeaderLength),
            ["control"] = (q.Control, q.Counters - q.Control),
            ["counters"] = (q.Counters, q.RxFill - q.Counters),
            ["RX fill"] = (q.RxFill, q.RxCompletion - q.RxFill),
            ["RX completion"] = (q.RxCompletion, q.Tx - q.RxCompletion),
            ["TX"] = (q.Tx, q.TxCompletion - q.Tx),
            ["TX completion"] = (q.TxCompletion, queueEnd - q.TxCompletion),
            ["padding"] = (queueEnd, geometry.PoolOffset - queueEnd),
            ["pool"] = (geometry.PoolOffset, geometry.PoolLength),
            ["region"] = (0, geometry.RegionLength),
        };

        var rows = ReadTable("Worked example", ["part", "offset", "length", "end"]);
        Assert.Equal(expected.Keys.Order(), rows.Select(r => r[0]).Order());
        foreach (var row in rows)
        {
            var (offset, length) = expected[row[0]];
            Assert.Equal((offset, length, offset + length), (Number(row[1]), Number(row[2]), Number(row[3])));
        }
    }

    private sealed record FieldRow(int Offset, int? Size, string Field);

    private static FieldRow ParseFieldRow(string[] cells)
    {
        string field = cells[2].Trim('`');
        int? size = int.TryParse(cells[1], NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : null;
        return new FieldRow((int)Number(cells[0]), size, field);
    }

    private static long Number(string cell) => long.Parse(cell, NumberStyles.None, CultureInfo.InvariantCulture);

    private static Type LayoutType(string className) =>
        typeof(RegionLayout).Assembly.GetType($"{typeof(RegionLayout).Namespace}.{className}", throwOnError: true)!;

    private static Dictionary<string, int> OffsetConstants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int) && f.Name.EndsWith("Offset", StringComparison.Ordinal))
            .ToDictionary(f => f.Name, f => (int)f.GetRawConstantValue()!);

    private static int? LengthOf(Type type)
    {
        if (type == typeof(RegionLayout))
            return RegionLayout.HeaderLength;
        if (type == typeof(QueueTableLayout))
            return RegionLayout.QueueEntryLength;
        if (type == typeof(HalfCountersLayout) || type == typeof(SleeperCountersLayout))
            return RegionLayout.BlockLength;
        var length = type.GetField("Length", BindingFlags.Public | BindingFlags.Static);
        return length is { IsLiteral: true } && length.FieldType == typeof(int) ? (int)length.GetRawConstantValue()! : null;
    }

    /// <summary>The rows of the one table under <c>### heading</c>, as trimmed cells; checks its column header.</summary>
    private static List<string[]> ReadTable(string heading, string[] columns)
    {
        var lines = File.ReadAllLines(Path.Combine(RepoRoot(), "docs", "LAYOUT.md"));
        int[] headings = lines.Select((line, i) => (line, i)).Where(x => x.line.Trim() == "### " + heading).Select(x => x.i).ToArray();
        Assert.True(headings.Length == 1, $"docs/LAYOUT.md needs exactly one '### {heading}' heading, found {headings.Length}");

        int start = headings[0] + 1;
        while (start < lines.Length && !lines[start].TrimStart().StartsWith('|'))
        {
            Assert.False(lines[start].StartsWith('#'), $"no table under '### {heading}' before the next heading");
            start++;
        }
        Assert.True(start + 1 < lines.Length, $"no table under '### {heading}'");
        Assert.Equal(columns, SplitRow(lines[start]));
        Assert.Matches(@"^\|(\s*:?-+:?\s*\|)+$", lines[start + 1].Trim());

        var rows = new List<string[]>();
        for (int i = start + 2; i < lines.Length && lines[i].TrimStart().StartsWith('|'); i++)
        {
            var cells = SplitRow(lines[i]);
            Assert.True(cells.Length == columns.Length, $"docs/LAYOUT.md line {i + 1}: {cells.Length} cells, expected {columns.Length}");
            rows.Add(cells);
        }
        return rows;
    }

    /// <summary>Cells of a markdown table row; <c>\|</c> is a literal bar inside a cell.</summary>
    private static string[] SplitRow(string line)
    {
        string row = line.Trim();
        Assert.True(row.StartsWith('|') && row.EndsWith('|') && !row.EndsWith("\\|", StringComparison.Ordinal), $"not a table row: {line}");
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        for (int i = 1; i < row.Length - 1; i++)
        {
            if (row[i] == '\\' && row[i + 1] == '|')
            {
                cell.Append('|');
                i++;
            }
            else if (row[i] == '|')
            {
                cells.Add(cell.ToString().Trim());
                cell.Clear();
            }
            else
            {
                cell.Append(row[i]);
            }
        }
        cells.Add(cell.ToString().Trim());
        return cells.ToArray();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Ring.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"no Ring.sln above {AppContext.BaseDirectory}");
    }
}
