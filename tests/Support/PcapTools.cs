using System.Globalization;
using System.Text;

namespace Ring.Tests.Support;

/// <summary>Captures made and read by Wireshark's tools, not by our pcap code: text2pcap writes them, tshark reads them.</summary>
internal static class PcapTools
{
    /// <summary>
    /// Writes <paramref name="frames"/> into <paramref name="dir"/> as the hex dump text2pcap reads, frame i stamped
    /// 2025-01-01 00:00:00 (local time) plus <paramref name="first"/> plus i times <paramref name="gap"/>, and
    /// converts it to <paramref name="format"/> (pcap or pcapng); returns the capture's path.
    /// </summary>
    public static string Text2pcap(string dir, string name, string format, byte[][] frames, TimeSpan first, TimeSpan gap)
    {
        var text = new StringBuilder();
        var start = new DateTime(2025, 1, 1) + first;
        for (int i = 0; i < frames.Length; i++)
        {
            text.Append((start + i * gap).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append('\n');
            for (int offset = 0; offset < frames[i].Length; offset += 16)
            {
                var line = frames[i].Skip(offset).Take(16).Select(b => b.ToString("x2", CultureInfo.InvariantCulture));
                text.Append(CultureInfo.InvariantCulture, $"{offset:x6} {string.Join(' ', line)}\n");
            }
        }
        string input = Path.Combine(dir, name + ".txt");
        File.WriteAllText(input, text.ToString());
        string output = Path.Combine(dir, name);
        NetTools.Run("text2pcap", "-q", "-F", format, "-t", "%Y-%m-%d %H:%M:%S.%f", input, output);
        return output;
    }

    /// <summary>tshark's fields for each frame of <paramref name="file"/>, joined by '|', with IP checksums verified.</summary>
    public static string[] Tshark(string file, params string[] fields)
    {
        var args = new List<string> { "-r", file, "-o", "ip.check_checksum:TRUE", "-T", "fields", "-E", "separator=|" };
        foreach (string field in fields)
            args.AddRange(["-e", field]);
        return NetTools.Run("tshark", [.. args]).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}
