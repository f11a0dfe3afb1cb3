using System.Text.Json;
using System.Text.RegularExpressions;

namespace WaServerless.Infra.Tests;

/// <summary>
/// The connector image cannot be built here (no Docker engine), so its Dockerfile is checked twice:
/// by dockerfilelint (npm devDependency of the repository) and by the structural rules below.
/// </summary>
public partial class DockerfileTests
{
    private static readonly string DockerfilePath = RepoPaths.Combine("infra", "docker", "Dockerfile");

    private static IReadOnlyList<Instruction> Instructions => Parse(File.ReadAllText(DockerfilePath));

    [Fact]
    public void Dockerfile_passes_dockerfilelint()
    {
        var linter = RepoPaths.Combine("node_modules", "dockerfilelint", "bin", "dockerfilelint");
        Assert.True(
            File.Exists(linter),
            $"{linter} is missing: dockerfilelint is a devDependency in package.json; run npm ci at the repository root.");
        Assert.True(File.Exists(DockerfilePath)); // dockerfilelint lints a missing path as Dockerfile text

        var result = ProcessRunner.Run("node", [linter, "--output", "json", "infra/docker/Dockerfile"]);

        using var report = JsonDocument.Parse(result.StdOut);
        var issues = report.RootElement.GetProperty("files")[0].GetProperty("issues");
        Assert.True(
            report.RootElement.GetProperty("totalIssues").GetInt32() == 0 && result.ExitCode == 0,
            "dockerfilelint: " + issues.GetRawText() + result.StdErr);
    }

    [Fact]
    public void Build_is_multi_stage_sdk_then_chiseled_aspnet_runtime()
    {
        var froms = Instructions.Where(instruction => instruction.Keyword == "FROM").ToList();

        Assert.True(froms.Count >= 2, "expected a build stage and a runtime stage");
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:", froms[0].Arguments, StringComparison.Ordinal);
        Assert.Matches(@"\bAS\s+build\b", froms[0].Arguments);
        var runtime = froms[^1].Arguments;
        Assert.Matches(@"^mcr\.microsoft\.com/dotnet/(aspnet|runtime-deps):", runtime);
        Assert.Contains("chiseled", runtime, StringComparison.Ordinal);
        Assert.Contains(Instructions, instruction => instruction.Keyword == "COPY" && instruction.Arguments.StartsWith("--from=build ", StringComparison.Ordinal));
    }

    [Fact]
    public void Base_images_are_pinned_to_the_dotnet_10_line_not_latest()
    {
        var text = File.ReadAllText(DockerfilePath);

        Assert.Matches(@"ARG DOTNET_VERSION=10\.0\b", text);
        foreach (var from in Instructions.Where(instruction => instruction.Keyword == "FROM"))
        {
            Assert.DoesNotContain(":latest", from.Arguments, StringComparison.Ordinal);
            Assert.Contains(":", from.Arguments, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Publishes_the_connector_project()
    {
        var runs = Instructions.Where(instruction => instruction.Keyword == "RUN").Select(instruction => instruction.Arguments).ToList();

        Assert.Contains(runs, run => run.Contains("dotnet publish connector/WaServerless.Connector/WaServerless.Connector.csproj", StringComparison.Ordinal));
        var entrypoint = Instructions.Single(instruction => instruction.Keyword == "ENTRYPOINT").Arguments;
        Assert.Equal("[\"dotnet\", \"WaServerless.Connector.dll\"]", entrypoint);
    }

    [Fact]
    public void Runs_as_a_non_root_user_and_exposes_8080()
    {
        var lastFrom = Instructions.Select((instruction, index) => (instruction, index)).Last(pair => pair.instruction.Keyword == "FROM").index;
        var runtimeStage = Instructions.Skip(lastFrom).ToList();

        var user = runtimeStage.LastOrDefault(instruction => instruction.Keyword == "USER");
        Assert.NotNull(user);
        Assert.DoesNotMatch(@"^(root|0)(:|$)", user.Arguments);
        Assert.Contains(runtimeStage, instruction => instruction.Keyword == "EXPOSE" && instruction.Arguments == "8080");
        Assert.Contains(runtimeStage, instruction => instruction.Keyword == "ENV" && instruction.Arguments.Contains("ASPNETCORE_HTTP_PORTS=8080", StringComparison.Ordinal));
    }

    [Fact]
    public void Fetches_nothing_by_url_and_holds_no_secret()
    {
        foreach (var instruction in Instructions)
        {
            Assert.NotEqual("ADD", instruction.Keyword); // COPY only: no remote URLs, no auto-extraction
            Assert.DoesNotMatch(@"https?://", instruction.Keyword == "RUN" ? instruction.Arguments : "");
            if (instruction.Keyword is "ENV" or "ARG")
            {
                Assert.DoesNotMatch(SecretName(), instruction.Arguments);
            }
        }
    }

    [Fact]
    public void Explains_why_there_is_no_healthcheck()
    {
        var text = File.ReadAllText(DockerfilePath);

        Assert.DoesNotContain(Instructions, instruction => instruction.Keyword == "HEALTHCHECK");
        Assert.Contains("No HEALTHCHECK", text, StringComparison.Ordinal);
        Assert.Contains("/healthz", text, StringComparison.Ordinal);
        Assert.Contains("/readyz", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_ignore_files_keep_build_output_and_secrets_out_of_the_context()
    {
        // BuildKit reads <Dockerfile>.dockerignore next to the Dockerfile when the context is the
        // repository root; .dockerignore beside it serves a build whose context is infra/docker.
        // az acr build reads only the root .dockerignore: without it node_modules, bin/obj and .local/
        // (the demo key, the webhook encryption key) would be uploaded into the registry's build context.
        var specific = Patterns(RepoPaths.Combine("infra", "docker", "Dockerfile.dockerignore"));
        var plain = Patterns(RepoPaths.Combine("infra", "docker", ".dockerignore"));
        var root = Patterns(RepoPaths.Combine(".dockerignore"));

        Assert.Equal(specific, plain);
        Assert.Equal(specific, root);
        foreach (var pattern in new[] { "**/bin/", "**/obj/", "**/node_modules/", ".git/", ".local/", "**/local.settings.json", "**/*.pfx" })
        {
            Assert.Contains(pattern, specific);
        }
    }

    private static List<string> Patterns(string path)
        => [.. File.ReadAllLines(path).Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#'))];

    private static List<Instruction> Parse(string text)
    {
        var instructions = new List<Instruction>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (current.Length == 0 && (line.TrimStart().StartsWith('#') || string.IsNullOrWhiteSpace(line)))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1].Trim() + " ";
                continue;
            }

            current += line.Trim();
            var space = current.IndexOf(' ', StringComparison.Ordinal);
            instructions.Add(space < 0
                ? new Instruction(current.ToUpperInvariant(), "")
                : new Instruction(current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
            current = "";
        }

        return instructions;
    }

    [GeneratedRegex(@"(?i)(secret|password|passwd|token|apikey|api_key|connectionstring|accountkey)\w*\s*=")]
    private static partial Regex SecretName();

    private sealed record Instruction(string Keyword, string Arguments);
}
