using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Ring.Tests.Support;

/// <summary>
/// The ControlPeer program (tests/ControlPeer) as a second process: commands go to its stdin, its stdout lines are
/// collected as they come, and it can be stopped, continued and killed with real signals. Disposing kills it.
/// </summary>
internal sealed partial class ControlPeerProcess : IDisposable
{
    private const int SIGKILL = 9;
    private const int SIGCONT = 18;
    private const int SIGSTOP = 19;

    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = [];
    private readonly ConcurrentQueue<string> _transcript = new();

    private ControlPeerProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Collect(e.Data, "");
        process.ErrorDataReceived += (_, e) => Collect(e.Data, "stderr: ");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The peer's pid.</summary>
    public int Pid => _process.Id;

    /// <summary>Starts ControlPeer with <paramref name="arguments"/>; with <paramref name="uid"/>, as that user (via setpriv).</summary>
    public static ControlPeerProcess Start(string[] arguments, int? uid = null)
    {
        string binary = Path.Combine(AppContext.BaseDirectory, "ControlPeer");
        Assert.True(File.Exists(binary), $"{binary} not found: the test project references tests/ControlPeer, build it");
        if (uid is not null)
            binary = StagedForOtherUsers.Value;
        var info = new ProcessStartInfo(uid is null ? binary : "setpriv")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (uid is { } id)
            foreach (string option in new[] { $"--reuid={id}", $"--regid={id}", "--clear-groups", binary })
                info.ArgumentList.Add(option);
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        return new ControlPeerProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start ControlPeer"));
    }

    /// <summary>
    /// ControlPeer copied into a directory every user may read: the checkout may sit under a directory only its owner
    /// can enter (mktemp -d makes 0700), where another user could not start the peer at all.
    /// </summary>
    private static readonly Lazy<string> StagedForOtherUsers = new(() =>
    {
        var directory = Directory.CreateTempSubdirectory("ring-controlpeer-");
        const UnixFileMode everyoneReads = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("a peer as another user needs setpriv");
        File.SetUnixFileMode(directory.FullName, everyoneReads);
        foreach (string name in new[] { "ControlPeer", "ControlPeer.dll", "ControlPeer.deps.json", "ControlPeer.runtimeconfig.json", "Ring.dll" })
        {
            string copy = Path.Combine(directory.FullName, name);
            File.Copy(Path.Combine(AppContext.BaseDirectory, name), copy);
            File.SetUnixFileMode(copy, everyoneReads);
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => directory.Delete(recursive: true);
        return Path.Combine(directory.FullName, "ControlPeer");
    });

    /// <summary>Waits for the next line starting with <paramref name="prefix"/> (skipping others); fails at the deadline.</summary>
    public string Expect(string prefix, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = deadline - clock.Elapsed;
            if (left <= TimeSpan.Zero || !_lines.TryTake(out string? line, left))
            {
                string state = _process.HasExited ? $"exited {_process.ExitCode}" : "still running";
                Assert.Fail($"ControlPeer (pid {Pid}, {state}) printed no line starting \"{prefix}\" within {deadline.TotalSeconds} s:\n{Transcript}");
                return "";
            }
            if (line.StartsWith(prefix, StringComparison.Ordinal))
                return line;
        }
    }

    /// <summary>Sends one command line.</summary>
    public void Send(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
    }

    /// <summary>SIGSTOP: the process keeps every descriptor but runs no more.</summary>
    public void Stop() => Signal(SIGSTOP);

    /// <summary>SIGCONT.</summary>
    public void Continue() => Signal(SIGCONT);

    /// <summary>SIGKILL, sent now; returns as soon as the signal is sent, not when the process is reaped.</summary>
    public void KillNow() => Signal(SIGKILL);

    /// <summary>Waits for the exit; returns the exit code. Fails at the deadline.</summary>
    public int WaitForExit(TimeSpan deadline)
    {
        Assert.True(_process.WaitForExit(deadline), $"ControlPeer (pid {Pid}) did not exit within {deadline.TotalSeconds} s:\n{Transcript}");
        _process.WaitForExit(); // drains the output events
        return _process.ExitCode;
    }

    /// <summary>Everything printed so far.</summary>
    public string Transcript => string.Join('\n', _transcript);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // A stopped process dies of SIGKILL too, but say it plainly. Not asserted: a peer the test killed may
                // be reaped between HasExited and here, and then there is no one to continue (ESRCH).
                _ = Kill(_process.Id, SIGCONT);
                _process.Kill();
                _process.WaitForExit(ControlScope.Deadline);
            }
        }
        catch (InvalidOperationException)
        {
            // exited meanwhile
        }
        _process.Dispose();
    }

    private void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    private void Collect(string? line, string label)
    {
        if (line is null)
            return;
        _transcript.Enqueue(label + line);
        if (label.Length == 0)
            _lines.Add(line);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
