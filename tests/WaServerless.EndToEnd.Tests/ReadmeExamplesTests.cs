using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace WaServerless.EndToEnd.Tests;

/// <summary>
/// The curl commands of the README's "Run it locally" section, run as written (by bash and curl)
/// against a devhost, with only the address and the queue id filled in: the first page a user reads
/// cannot drift from the code.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    [GeneratedRegex(@"`(curl [^`]+)`")]
    private static partial Regex InlineCurl();

    private static string RunItLocallySection()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "README.md")))
        {
            dir = dir.Parent;
        }

        var readme = File.ReadAllText(Path.Combine(dir!.FullName, "README.md"));
        var start = readme.IndexOf("\n## Run it locally", StringComparison.Ordinal);
        Assert.True(start >= 0, "the README has a Run it locally section");
        var end = readme.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        return readme[start..(end < 0 ? readme.Length : end)];
    }

    /// <summary>The key line and the curl commands, in the order the README gives them.</summary>
    private static (string KeyLine, List<string> Commands) Examples()
    {
        var section = RunItLocallySection();
        var lines = section.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var keyLine = Assert.Single(lines, l => l.StartsWith("KEY=", StringComparison.Ordinal));
        var commands = new List<(int At, string Command)>();
        foreach (var (line, i) in lines.Select((l, i) => (l, i)))
        {
            if (line.StartsWith("curl ", StringComparison.Ordinal))
            {
                commands.Add((i, line));
            }

            foreach (Match m in InlineCurl().Matches(line))
            {
                commands.Add((i, m.Groups[1].Value));
            }
        }

        // Comments after the command are for the reader.
        return (keyLine, commands.OrderBy(c => c.At).Select(c => Regex.Replace(c.Command, @"\s+#.*$", string.Empty)).ToList());
    }

    [Fact]
    public async Task Every_curl_example_of_the_local_section_answers_success_as_written()
    {
        var (keyLine, commands) = Examples();
        Assert.True(commands.Count >= 3, "the section shows a send, a status read and a Sandbox fault");
        var workDir = Path.Combine(Path.GetTempPath(), "readme-" + Guid.NewGuid().ToString("N"));
        await using var host = await DevHostInstance.StartAsync(demoKeyFile: Path.Combine(workDir, ".local", "demo-key.txt"));
        var address = host.Client.BaseAddress!.Authority;
        string? queueId = null;

        foreach (var command in commands)
        {
            var filled = command.Replace("localhost:7071", address, StringComparison.Ordinal);
            if (filled.Contains("<queue_id>", StringComparison.Ordinal))
            {
                Assert.NotNull(queueId);
                filled = filled.Replace("<queue_id>", queueId, StringComparison.Ordinal);
            }

            var (status, body) = await RunAsync(workDir, keyLine + "\n" + filled + " -sS -w '\\n%{http_code}'");
            Assert.True(status is >= 200 and < 300, $"{command}\nanswered {status}: {body}");
            if (body.Length > 0 && JsonDocument.Parse(body).RootElement is { ValueKind: JsonValueKind.Object } json
                && json.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object && data.TryGetProperty("queue_id", out var id))
            {
                queueId ??= id.GetString();
            }
        }
    }

    internal static async Task<(int Status, string Body)> RunAsync(string workDir, string script)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"bash/curl failed ({process.ExitCode}): {error}");
        var split = output.LastIndexOf('\n');
        return (int.Parse(output[(split + 1)..].Trim(), System.Globalization.CultureInfo.InvariantCulture), output[..Math.Max(split, 0)].Trim());
    }
}
