using System.Diagnostics;

namespace MiniNet.Tests.Shared;

/// <summary>The Debian tools some tests use (GNU parallel, Graphviz's dot): found on PATH, or installed by the project's own script.</summary>
internal static class DebianTools
{
    /// <summary>Whether <paramref name="command"/> is on PATH, running <c>tools/install-test-deps.sh</c> first when it is not.</summary>
    public static bool Ensure(string command)
    {
        if (Has(command))
        {
            return true;
        }

        using Process install = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepositoryRoot(), "tools", "install-test-deps.sh")]) { UseShellExecute = false })!;
        install.WaitForExit();
        return Has(command);
    }

    /// <summary>The repository's root folder (the one holding MiniNet.sln), found above the test's own folder.</summary>
    public static string RepositoryRoot()
    {
        string? folder = AppContext.BaseDirectory;
        while (folder is not null && !File.Exists(Path.Combine(folder, "MiniNet.sln")))
        {
            folder = Path.GetDirectoryName(folder);
        }

        return folder ?? throw new InvalidOperationException("the repository root (MiniNet.sln) was not found above the test's folder");
    }

    private static bool Has(string command)
    {
        using Process which = Process.Start(new ProcessStartInfo("bash", ["-c", $"command -v {command}"]) { UseShellExecute = false, RedirectStandardOutput = true })!;
        which.StandardOutput.ReadToEnd();
        which.WaitForExit();
        return which.ExitCode == 0;
    }
}
