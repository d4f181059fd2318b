using System.IO.Compression;
using System.Xml.Linq;
using FluentAssertions;
using Xunit;

namespace MiniNet.Packaging.Tests;

/// <summary>The packages are what the ecosystem expects, and mininet installs as a .NET tool and runs.</summary>
[Collection("packages")]
public sealed class PackageTests(PackedRepository packed)
{
    private static readonly string[] Libraries = ["MiniNet.Kernels", "MiniNet.Autograd", "MiniNet.Serialization", "MiniNet.Layers", "MiniNet.Optimizers", "MiniNet.Clipping", "MiniNet.Training", "MiniNet.Testing", "MiniNet.Interactive"];

    [Fact]
    public void Every_library_has_its_metadata_readme_licence_and_symbols()
    {
        string[] files = [.. Directory.GetFiles(packed.Packages).Select(Path.GetFileName)!];
        foreach (string id in Libraries.Append("mininet"))
        {
            string nupkg = files.Single(f => f!.StartsWith(id + ".0.", StringComparison.Ordinal) && f.EndsWith(".nupkg", StringComparison.Ordinal))!;
            files.Should().Contain(Path.ChangeExtension(nupkg, ".snupkg"), $"{id} ships its symbols");
            using ZipArchive zip = ZipFile.OpenRead(Path.Combine(packed.Packages, nupkg));
            zip.Entries.Select(e => e.FullName).Should().Contain(["README.md", "LICENSE"]);
            XElement metadata = XElement.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).Elements().First();
            string Field(string name) => metadata.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? string.Empty;
            Field("license").Should().Be("MIT");
            Field("authors").Should().NotBeEmpty();
            Field("description").Should().NotBeEmpty();
            Field("tags").Should().Contain("gradient-clipping");
            Field("readme").Should().Be("README.md");
            metadata.Elements().Single(e => e.Name.LocalName == "repository").Attribute("commit")!.Value.Should().MatchRegex("^[0-9a-f]{40}$", "Source Link records the commit");
        }

        files.Where(f => f!.EndsWith(".nupkg", StringComparison.Ordinal)).Select(f => System.Text.RegularExpressions.Regex.Match(f!, @"\.(\d+\.\d+\.\d+)(-beta)?\.nupkg$").Groups[1].Value)
            .Distinct().Should().ContainSingle("one version for all (the notebook formatters add -beta: they build on prerelease .NET Interactive)");
    }

    [Fact]
    public void The_mininet_tool_installs_from_the_local_packages_and_trains_and_runs_an_experiment_on_workers()
    {
        string tools = Path.Combine(packed.Root, "tools");
        (int install, string installOutput) = Dotnet.Run("dotnet", ["tool", "install", "mininet", "--tool-path", tools, "--add-source", packed.Packages, "--ignore-failed-sources"]);
        install.Should().Be(0, installOutput);
        string mininet = Path.Combine(tools, "mininet");

        (int help, string helpOutput) = Dotnet.Run(mininet, ["--help"]);
        help.Should().Be(0, helpOutput);
        helpOutput.Should().Contain("compare").And.Contain("experiment");

        string work = Path.Combine(packed.Root, "work");
        Directory.CreateDirectory(work);
        (int train, string trainOutput) = Dotnet.Run(mininet, ["train", "--steps", "5", "--seq-len", "5", "--hidden", "4", "--out", "run"], work);
        train.Should().Be(0, trainOutput);
        File.Exists(Path.Combine(work, "run", "report.html")).Should().BeTrue();

        // the experiment pool starts workers by running its own executable: the installed tool's, here
        (int experiment, string experimentOutput) = Dotnet.Run(mininet, ["experiment", "--clip", "none,global-norm:1", "--seeds", "1", "--steps", "5", "--seq-len", "5", "--hidden", "4", "--workers", "2", "--out", "grid"], work);
        experiment.Should().Be(0, experimentOutput);
        experimentOutput.Should().Contain("2 cells with results, 0 pending");
    }
}
