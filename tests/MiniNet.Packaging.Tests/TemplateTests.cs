using System.Text.Json;
using System.Text.RegularExpressions;
using FluentAssertions;
using MiniNet.Tests.Shared;
using Xunit;

namespace MiniNet.Packaging.Tests;

/// <summary>dotnet new mininet-lab, from the packed template, makes a project whose three hypotheses pass, restored offline from the local packages.</summary>
[Collection("packages")]
public sealed class TemplateTests(PackedRepository packed)
{
    [Fact]
    public void The_template_installs_and_creates_a_project_whose_hypotheses_pass_offline()
    {
        string hive = Path.Combine(packed.Root, "template-hive"); // a private template cache: the machine's is left alone
        string template = Directory.GetFiles(packed.Packages, "MiniNet.Templates.*.nupkg").Single();
        (int install, string installOutput) = Dotnet.Run("dotnet", ["new", "install", template, "--debug:custom-hive", hive]);
        install.Should().Be(0, installOutput);

        string project = Path.Combine(packed.Root, "lab", "MyLab");
        (int create, string createOutput) = Dotnet.Run("dotnet", ["new", "mininet-lab", "-o", project, "--debug:custom-hive", hive]);
        create.Should().Be(0, createOutput);
        File.Exists(Path.Combine(project, "MyLab.csproj")).Should().BeTrue("the project takes the name given");

        // offline: the MiniNet packages from the local folder, everything else from the machine's package cache
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        (int restore, string restoreOutput) = Dotnet.Run("dotnet", ["restore", project, "--source", packed.Packages, "--source", cache]);
        restore.Should().Be(0, restoreOutput);
        (int test, string testOutput) = Dotnet.Run("dotnet", ["test", project, "--no-restore"], timeout: TimeSpan.FromMinutes(5));
        test.Should().Be(0, testOutput);
        Regex.IsMatch(testOutput, @"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+3,").Should().BeTrue(testOutput);
    }

    [Fact]
    public void The_template_references_the_version_the_repository_builds()
    {
        string root = DebianTools.RepositoryRoot();
        string version = Regex.Match(File.ReadAllText(Path.Combine(root, "Directory.Build.props")), "<Version>([^<]+)</Version>").Groups[1].Value;
        using JsonDocument template = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "templates", "mininet-lab", ".template.config", "template.json")));
        template.RootElement.GetProperty("symbols").GetProperty("MiniNetVersion").GetProperty("defaultValue").GetString()
            .Should().Be(version, "the template's default MiniNet version follows Directory.Build.props; change both together");
    }
}
