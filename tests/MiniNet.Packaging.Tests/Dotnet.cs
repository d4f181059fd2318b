using System.Diagnostics;

namespace MiniNet.Packaging.Tests;

/// <summary>Runs the dotnet CLI (or an installed tool) as a child process and returns what it printed.</summary>
internal static class Dotnet
{
    public static (int Code, string Output) Run(string fileName, IEnumerable<string> args, string? workingDirectory = null, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Directory.GetCurrentDirectory() };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["NO_COLOR"] = "1";
        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} did not finish in time");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>Packs the repository's packable projects (Release) into <paramref name="folder"/> once per test run.</summary>
    public static string PackAll(string folder)
    {
        (int code, string output) = Run("dotnet", ["pack", Path.Combine(MiniNet.Tests.Shared.DebianTools.RepositoryRoot(), "MiniNet.sln"), "-c", "Release", "-o", folder, "-p:ContinuousIntegrationBuild=true"]);
        if (code != 0)
        {
            throw new InvalidOperationException("dotnet pack failed:\n" + output);
        }

        return folder;
    }
}

/// <summary>The packages, packed once for all the tests of the collection.</summary>
public sealed class PackedRepository : IDisposable
{
    public PackedRepository()
    {
        Root = Directory.CreateTempSubdirectory("mininet-packages-").FullName;
        Packages = Dotnet.PackAll(Path.Combine(Root, "packages"));
    }

    public string Root { get; }

    public string Packages { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

[Xunit.CollectionDefinition("packages")]
public sealed class PackagesCollection : Xunit.ICollectionFixture<PackedRepository>
{
}
