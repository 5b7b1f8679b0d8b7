using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace Ring.Harness.Net;

/// <summary>
/// A Linux network namespace of its own (<c>ip netns add ring-PID-XXXX</c>) for test traffic, so nothing touches the
/// host's interfaces: TAPs and veths are created inside it, tools run inside it (<c>ip netns exec</c>), and a TAP is
/// opened inside it by this process through <see cref="RunInside{T}"/>. Disposing kills every process started in
/// it and deletes it, which takes its interfaces with it. So does Ctrl-C (SIGINT), SIGTERM, SIGHUP and process exit,
/// for every namespace still alive: each is deleted once, whichever comes first. Only SIGKILL can leave one behind
/// (<c>ip netns list</c> shows it as <c>ring-PID-XXXX</c>).
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    /// <summary>Where <c>ip netns</c> keeps the namespaces it names.</summary>
    public const string NamedDirectory = "/run/netns";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);
    private static readonly Lock RegistryGate = new();
    private static readonly HashSet<NetworkNamespace> Live = [];
    private static PosixSignalRegistration[]? _signals;

    private readonly Lock _gate = new();
    private readonly List<Process> _children = [];
    private volatile bool _deleted;

    private NetworkNamespace(string name) => Name = name;

    /// <summary>Its name, as <c>ip netns list</c> shows it.</summary>
    public string Name { get; }

    /// <summary>
    /// Why this process cannot create network namespaces (not Linux, not root, no <c>ip</c>, or <c>ip netns add</c>
    /// fails), or null when it can: creates and deletes one to find out.
    /// </summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
            return "network namespaces need Linux";
        if (!Environment.IsPrivilegedProcess)
            return "network namespaces need root (CAP_SYS_ADMIN and CAP_NET_ADMIN)";
        try
        {
            using var probe = Create();
            return null;
        }
        catch (NetworkSetupException e)
        {
            return e.Message;
        }
    }

    /// <summary>
    /// Creates the namespace <paramref name="name"/> (default <c>ring-PID-XXXX</c>, random hex). Throws
    /// <see cref="NetworkSetupException"/> when it exists already or <c>ip netns add</c> fails.
    /// </summary>
    public static NetworkNamespace Create(string? name = null)
    {
        name ??= $"ring-{Environment.ProcessId}-{Random.Shared.Next(0x10000):x4}";
        if (name.Length is 0 or > 200 || name.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' is not a namespace name (letters, digits, '-', '_', '.')");
        if (File.Exists(Path.Combine(NamedDirectory, name)))
            throw new NetworkSetupException($"network namespace {name} already exists (if it is left over: ip netns del {name})");
        HookCleanup();
        HostCommand.Check("ip", ["netns", "add", name], CommandTimeout);
        var created = new NetworkNamespace(name);
        lock (RegistryGate)
            Live.Add(created);
        return created;
    }

    /// <summary>Runs <c>ip -n NAME</c> with <paramref name="args"/>; throws <see cref="NetworkSetupException"/> when it fails.</summary>
    public void Ip(params string[] args)
    {
        ObjectDisposedException.ThrowIf(_deleted, this);
        HostCommand.Check("ip", ["-n", Name, .. args], CommandTimeout);
    }

    /// <summary>
    /// Creates a persistent TAP <paramref name="tapName"/> in this namespace, with <paramref name="mtu"/>, the address
    /// <paramref name="cidr"/> (like <c>10.77.0.1/24</c>), and the link up; it has carrier once a program opens it
    /// (<see cref="TapDevice.Open(string)"/> from inside) and goes with the namespace.
    /// </summary>
    public void AddTap(string tapName, string cidr, int mtu = 1500)
    {
        Ip("tuntap", "add", "dev", tapName, "mode", "tap");
        Ip("link", "set", "dev", tapName, "mtu", mtu.ToString(System.Globalization.CultureInfo.InvariantCulture), "up");
        Ip("addr", "add", cidr, "dev", tapName);
    }

    /// <summary>
    /// Whether the interface <paramref name="device"/> is operationally up (<c>ip link</c>'s <c>state UP</c>). A TAP is
    /// once a program holds it open, but the kernel marks it so, and starts its transmit queue, in a deferred work
    /// item that may lag the open by up to a second; until then what the kernel sends through it is dropped. Wait for
    /// this, not for carrier, before sending through a TAP.
    /// </summary>
    public bool IsUp(string device)
    {
        ObjectDisposedException.ThrowIf(_deleted, this);
        var link = HostCommand.Run("ip", ["-n", Name, "-o", "link", "show", "dev", device], CommandTimeout);
        return link.ExitCode == 0 && link.Stdout.Contains(" state UP ", StringComparison.Ordinal);
    }

    /// <summary>The arguments of <c>ip</c> that run <paramref name="command"/> inside this namespace
    /// (<c>netns exec NAME ...</c>), for a launcher of its own; <see cref="Start"/> and <see cref="Exec"/> use them.</summary>
    public string[] ExecArguments(params string[] command) => ["netns", "exec", Name, .. command];

    /// <summary>
    /// Runs <paramref name="command"/> inside to its end within <paramref name="timeout"/> (see
    /// <see cref="HostCommand.Run"/>). Throws <see cref="OperationCanceledException"/> when the namespace was deleted
    /// meanwhile: that is a signal's cleanup, which runs before the program's own Ctrl-C handler (.NET calls the
    /// newest registration first), so the command's end is an interruption, not its result.
    /// </summary>
    public CommandResult Exec(TimeSpan timeout, CancellationToken cancel, params string[] command)
    {
        ObjectDisposedException.ThrowIf(_deleted, this);
        var result = HostCommand.Run("ip", ExecArguments(command), timeout, cancel);
        if (_deleted)
            throw new OperationCanceledException($"network namespace {Name} was deleted while {command[0]} ran (interrupted)");
        return result;
    }

    /// <summary>Starts <paramref name="command"/> inside, output redirected; it is killed, if still running, when this
    /// namespace is deleted.</summary>
    public Process Start(params string[] command)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_deleted, this);
            var process = HostCommand.Start("ip", ExecArguments(command), out _);
            _children.Add(process);
            return process;
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> on a new thread that has entered this namespace (<c>setns</c>) and returns its
    /// result: what it opens (a TAP through <c>/dev/net/tun</c>, a socket) belongs to this namespace, and the calling
    /// thread stays where it is. The action's exception is rethrown here.
    /// </summary>
    public T RunInside<T>(Func<T> action)
    {
        ObjectDisposedException.ThrowIf(_deleted, this);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Enter();
                result = action();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        }) { IsBackground = true, Name = $"netns {Name}" };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }

    /// <summary>Kills the processes started in it and deletes it; never throws (a failure is one warning line on
    /// standard error).</summary>
    public void Dispose()
    {
        lock (RegistryGate)
            Live.Remove(this);
        Delete();
    }

    /// <summary>Moves the calling thread into this namespace.</summary>
    private void Enter()
    {
        string path = Path.Combine(NamedDirectory, Name);
        int fd = Libc.Open(path, Libc.ReadOnly | Libc.CloseOnExec);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new NetDeviceException($"cannot enter network namespace {Name}: open {path}: {Libc.Describe(errno)}", errno);
        }
        try
        {
            if (Libc.SetNamespace(fd, Libc.CloneNewNet) < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new NetDeviceException($"cannot enter network namespace {Name}: setns: {Libc.Describe(errno)}", errno);
            }
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    private void Delete()
    {
        lock (_gate)
        {
            if (_deleted)
                return;
            _deleted = true;
            foreach (var child in _children)
            {
                HostCommand.Kill(child);
                child.Dispose();
            }
            try
            {
                // Anything else still living in it (started by a child) goes too: the namespace is ours alone.
                var pids = HostCommand.Run("ip", ["netns", "pids", Name], CommandTimeout);
                foreach (string pid in pids.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    HostCommand.Run("kill", ["-KILL", pid], CommandTimeout);
                HostCommand.Check("ip", ["netns", "del", Name], CommandTimeout);
            }
            catch (Exception e) when (e is NetworkSetupException or IOException)
            {
                Console.Error.WriteLine($"warning: could not delete network namespace {Name}: {e.Message}");
            }
        }
    }

    /// <summary>Once per process: delete every live namespace on SIGINT, SIGTERM, SIGHUP and at exit. The handlers
    /// leave the signal's own action alone, so a program that cancels on Ctrl-C still unwinds and one that does not
    /// still ends.</summary>
    private static void HookCleanup()
    {
        lock (RegistryGate)
        {
            if (_signals is not null)
                return;
            _signals =
            [
                PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => DeleteAll()),
                PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => DeleteAll()),
                PosixSignalRegistration.Create(PosixSignal.SIGHUP, _ => DeleteAll()),
            ];
            AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteAll();
        }
    }

    private static void DeleteAll()
    {
        NetworkNamespace[] all;
        lock (RegistryGate)
        {
            all = [.. Live];
            Live.Clear();
        }
        foreach (var ns in all)
            ns.Delete();
    }
}
