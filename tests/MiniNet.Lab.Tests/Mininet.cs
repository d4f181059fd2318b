using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MiniNet.Lab.Tests;

/// <summary>The real <c>mininet</c> program as a child process (signals, kills and concurrent processes need one).</summary>
internal static partial class Mininet
{
    private static readonly string Program = Path.Combine(AppContext.BaseDirectory, "mininet.dll");

    /// <summary>The path of the program's dll (for commands built by a test, such as one run under <c>script</c>).</summary>
    public static string ProgramPath => Program;

    /// <summary>Runs a bash command line in <paramref name="folder"/> and returns its exit code and output.</summary>
    public static (int Code, string Out, string Error) Shell(string folder, string commandLine, IReadOnlyDictionary<string, string> environment)
    {
        var info = new ProcessStartInfo("bash", ["-c", commandLine]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach ((string key, string value) in environment)
        {
            info.Environment[key] = value;
        }

        using Process process = Process.Start(info)!;
        return ToEnd(process, TimeSpan.FromMinutes(2), commandLine);
    }

    /// <summary>Starts <c>dotnet mininet.dll args</c> in <paramref name="folder"/>, output redirected.</summary>
    public static Process Start(string folder, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Program);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        return Process.Start(info)!;
    }

    /// <summary>Runs to the end (at most <paramref name="timeout"/>) and returns the exit code and both outputs.</summary>
    public static (int Code, string Out, string Error) Run(string folder, IEnumerable<string> args, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        using Process process = Start(folder, args, environment);
        return ToEnd(process, timeout ?? TimeSpan.FromMinutes(2), $"mininet {string.Join(' ', args)}");
    }

    /// <summary>Waits for a started process with redirected output, killing it after <paramref name="timeout"/>.</summary>
    private static (int Code, string Out, string Error) ToEnd(Process process, TimeSpan timeout, string what)
    {
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not finish in time");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Sends a POSIX signal (SIGINT 2, SIGTERM 15, SIGKILL 9) to a process.</summary>
    public static void Signal(Process process, int signal) => Signal(process.Id, signal);

    /// <summary>Sends a POSIX signal to a process id (a process that has just ended is not an error).</summary>
    public static void Signal(int pid, int signal) => _ = Kill(pid, signal);

    /// <summary>Waits until <paramref name="condition"/> holds (polling), or throws after <paramref name="timeout"/>.</summary>
    public static void WaitUntil(Func<bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Whole lines in a file being written (0 when it does not exist yet).</summary>
    public static int Lines(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            int lines = 0, b;
            var buffered = new BufferedStream(stream);
            while ((b = buffered.ReadByte()) >= 0)
            {
                lines += b == '\n' ? 1 : 0;
            }

            return lines;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
